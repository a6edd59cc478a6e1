"""What the CAB meeting page shows, as finished rows: per agenda item its tally, the user's vote,
its links, and the section-specific summary (results of closed changes, the change calendar with
its conflicts) with every URL built here. The template formats; it branches on no section number
and spells no URL (cab.templatetags.cab_rows renders the items). Reads only what
`selectors.meeting_page_queryset` prefetched."""
from dataclasses import dataclass, field

from django.urls import reverse

from cab import rules, selectors
from cab.choices import OPEN_STATUSES, ActionStatus, MeetingStatus, Outcome, Section, VoteChoice
from changes.models import REFERENCE_PREFIX

# Reversing once with a placeholder id, then filling it in per item: reverse() per link per row was
# the page's largest cost after rendering.
PLACEHOLDER = "2147483647"
ITEM_LINKS = {"up": ("cab:item-action", "up"), "down": ("cab:item-action", "down"),
              "remove": ("cab:item-action", "remove"), "vote": ("cab:vote",), "decide": ("cab:decide",),
              "tally": ("cab:tally",)}
# How many of the calendar section's changes the page lists (the summary line counts them all).
CALENDAR_LIMIT = 200


class _Links:
    """URL patterns reversed once per page, filled with an id per row."""

    def __init__(self):
        self.item = {key: reverse(name, args=[PLACEHOLDER, *extra]) for key, (name, *extra) in ITEM_LINKS.items()}
        self.change = reverse("changes:detail", args=[PLACEHOLDER])

    def for_item(self, pk) -> dict[str, str]:
        return {key: pattern.replace(PLACEHOLDER, str(pk)) for key, pattern in self.item.items()}

    def for_change(self, pk) -> str:
        return self.change.replace(PLACEHOLDER, str(pk))


@dataclass
class ItemRow:
    """One agenda item with everything its article shows."""

    item: object
    tally: object
    my_vote: object
    links: dict[str, str]
    vote_refusal: str | None
    decided: bool
    decision: object = None
    change_url: str = ""
    # Section 1 without a change: the changes closed since the last meeting, by outcome.
    results: dict | None = None
    # Section 4 without a change: the calendar's changes and its conflicts, each with its URLs.
    calendar: dict | None = None
    snap: dict = field(default_factory=dict)


def _reference(change_id) -> str:
    return f"{REFERENCE_PREFIX}{change_id:06d}"


def _linked(entries, links: _Links) -> list[dict]:
    """Snapshot entries (an id and the fields shown) with their reference and URL."""
    return [{**entry, "reference": _reference(entry["id"]), "url": links.for_change(entry["id"])}
            for entry in entries]


def _calendar(snap, links: _Links) -> dict:
    changes = snap.get("changes") or []
    conflicts = [{**pair, "a_ref": _reference(pair["a"]), "b_ref": _reference(pair["b"]),
                  "a_url": links.for_change(pair["a"]), "b_url": links.for_change(pair["b"])}
                 for pair in snap.get("conflicts") or []]
    return {"change_count": len(changes), "changes": _linked(changes[:CALENDAR_LIMIT], links),
            "conflicts": conflicts}


def item_rows(meeting, user) -> list[ItemRow]:
    tallies = selectors.item_tallies(meeting)
    links = _Links()
    rows = []
    for item in meeting.items.all():
        snap = item.snapshot or {}
        decided = rules.hasattr_decision(item)
        summary = not item.change_id
        rows.append(ItemRow(
            item=item, snap=snap, tally=tallies[item.pk], links=links.for_item(item.pk),
            my_vote=next((vote for vote in item.votes.all() if vote.voter_id == user.pk), None),
            vote_refusal=rules.vote_refusal(user, item), decided=decided,
            decision=item.decision if decided else None,
            change_url=links.for_change(item.change_id) if item.change_id else "",
            results=({"successful": _linked(snap.get("successful") or [], links),
                      "failed": _linked(snap.get("failed") or [], links)}
                     if summary and item.section == Section.CLOSED else None),
            calendar=_calendar(snap, links) if summary and item.section == Section.CALENDAR else None,
        ))
    return rows


def meeting_page(meeting, user) -> dict:
    """Everything the meeting page renders: rows, the user's rights, and the meeting's status as flags."""
    status = meeting.status
    return {
        "meeting": meeting, "rows": item_rows(meeting, user), "quorum": selectors.meeting_quorum(meeting),
        "can_chair": rules.can_chair(user), "can_edit_agenda": rules.can_edit_agenda(user, meeting),
        "is_member": rules.is_board_member(user), "board": selectors.board(),
        "present": {row.user_id for row in meeting.attendance.all() if row.present},
        "vote_choices": VoteChoice.choices, "outcomes": Outcome.choices,
        "open": status in OPEN_STATUSES,
        "scheduled": status == MeetingStatus.SCHEDULED, "in_progress": status == MeetingStatus.IN_PROGRESS,
        "ended": status == MeetingStatus.ENDED, "published": status == MeetingStatus.PUBLISHED,
        "notes": getattr(getattr(meeting, "minutes", None), "notes", ""),
    }


@dataclass
class ActionRow:
    """One action item on the actions page: its change's URL and whether this user gets the Done button
    (cab.rules decides; the service re-checks)."""

    action: object
    change_url: str
    may_update: bool


def action_rows(user, actions) -> list[ActionRow]:
    links = _Links()
    return [ActionRow(action, links.for_change(action.change_id) if action.change_id else "",
                      action.status == ActionStatus.OPEN and rules.action_status_refusal(user, action) is None)
            for action in actions]


@dataclass
class MemberRow:
    """One board seat on the meetings page, and whether this user gets its Retire button."""

    member: object
    may_retire: bool


def board_rows(user, members) -> list[MemberRow]:
    return [MemberRow(member, rules.retire_refusal(user, member) is None) for member in members]
