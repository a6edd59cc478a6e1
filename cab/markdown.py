"""The minutes as Markdown: attendance, every item with its votes and decision, action items.
Published minutes store this text once (Minutes.body); the printable page shows the same data."""
from django.utils import timezone

from cab.choices import Outcome, Seat, VoteChoice


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}" if moment else "—"


def _line(text) -> str:
    return " ".join(str(text or "").split())


def minutes_markdown(meeting, *, notes: str = "") -> str:
    """`meeting` comes from selectors.meeting_detail_queryset (everything prefetched)."""
    out = [f"# Minutes: {_line(meeting.title)}", "",
           f"- Kind: {meeting.get_kind_display()}",
           f"- Scheduled: {_when(meeting.starts_at)}",
           f"- Held: {_when(meeting.started_at)} to {_when(meeting.ended_at)}"]
    if meeting.reason:
        out.append(f"- Reason: {_line(meeting.reason)}")
    out += ["", "## Attendance", ""]
    attendance = sorted(meeting.attendance.all(), key=lambda r: (Seat.values.index(r.seat), r.deputy))
    if not attendance:
        out.append("Attendance was not recorded.")
    for row in attendance:
        role = Seat(row.seat).label + (" (deputy)" if row.deputy else "")
        out.append(f"- {row.user.get_full_name() or row.user.username} ({row.user.username}), {role}: "
                   f"{'present' if row.present else 'absent'}")
    out += ["", "## Agenda, votes and decisions", ""]
    for number, item in enumerate(meeting.items.all(), start=1):
        out.append(f"### {number}. {_line(item.title)}")
        if item.change_id:
            out.append(f"Change: /changes/{item.change_id}/")
        if item.note:
            out.append(f"Note: {_line(item.note)}")
        votes = list(item.votes.all())
        if item.needs_decision:
            out.append("")
            out.append("Votes:" if votes else "Votes: none.")
            for vote in votes:
                comment = f" — {_line(vote.comment)}" if vote.comment else ""
                changed = f" (changed {_when(vote.changed_at)})" if vote.changed_at else ""
                out.append(f"- {vote.voter.username}: {VoteChoice(vote.choice).label.lower()}{comment}{changed}")
            decision = getattr(item, "decision", None) if _has_decision(item) else None
            out.append("")
            if decision is None:
                out.append("Decision: none recorded (the CAB approval stays pending).")
            else:
                tally = decision.tally
                out.append(f"Decision: **{Outcome(decision.outcome).label}** by {decision.decided_by.username} at "
                           f"{_when(decision.decided_at)} (counted: {tally.get('approve', 0)} approve, "
                           f"{tally.get('reject', 0)} reject, {tally.get('abstain', 0)} abstain"
                           f"{'; tie broken by the chair' if tally.get('tie_broken_by_chair') else ''}).")
                if decision.reason:
                    out.append(f"Reason: {_line(decision.reason)}")
                if decision.conditions:
                    out.append(f"Conditions: {_line(decision.conditions)}")
        out.append("")
    out += ["## Action items", ""]
    actions = list(meeting.actions.all())
    if not actions:
        out.append("None.")
    for action in actions:
        owner = action.owner.username if action.owner_id else "unassigned"
        due = action.due_on.isoformat() if action.due_on else "no due date"
        out.append(f"- [{action.get_status_display()}] {action.get_kind_display()}: {_line(action.title)} "
                   f"(owner {owner}, due {due})")
    if notes.strip():
        out += ["", "## Notes", "", notes.strip()]
    return "\n".join(out) + "\n"


def _has_decision(item) -> bool:
    from cab.models import Decision

    try:
        return item.decision is not None
    except Decision.DoesNotExist:
        return False


def purged_markdown(meeting, record) -> str:
    """What stands in for minutes the retention job purged (POLICY §9)."""
    return (f"# Minutes: {_line(meeting.title)}\n\n"
            f"Purged on {_when(record.purged_at)} under the retention policy (POLICY §9): published "
            f"{_when(record.published_at)}, kept until {record.retain_until}. "
            f"SHA-256 of the purged record: {record.body_sha256}\n")


def record_markdown(meeting, record) -> str:
    """The minutes to show: the published record, its purge notice, or a live draft before publication."""
    if record is not None and record.published_at is not None:
        return purged_markdown(meeting, record) if record.purged_at else record.body
    return minutes_markdown(meeting, notes=record.notes if record else "")
