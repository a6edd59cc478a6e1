"""Reads for the CAB pages and API, each in a fixed number of queries whatever the item count."""
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch

from cab.choices import Section
from cab.markdown import record_markdown
from cab.models import ActionItem, AgendaItem, Attendance, BoardMember, Meeting, Vote
from cab.tally import quorum, tally


def meeting_list():
    return Meeting.objects.select_related("minutes", "emergency_change", "freeze")


def meeting_detail_queryset():
    """One meeting with its agenda, votes, decisions, attendance and minutes (7 queries)."""
    return Meeting.objects.select_related("minutes", "minutes__published_by", "convened_by").prefetch_related(
        Prefetch("items", queryset=AgendaItem.objects.select_related(
            "change", "slot", "decision", "decision__decided_by").order_by("position", "id")),
        Prefetch("items__votes", queryset=Vote.objects.select_related("voter").order_by("cast_at", "id")),
        Prefetch("attendance", queryset=Attendance.objects.select_related("user")),
        Prefetch("actions", queryset=ActionItem.objects.select_related("owner", "change")),
    )


def meeting_page_queryset():
    """One meeting with what its page shows and nothing more (7 queries): the items with only the
    ids of their change (for recusal) and their decision with its decider's name, the votes with their
    voter's name, attendance without its users, the action items with their owner's name, the minutes
    without their body. Whole rows of every change, user and vote were most of the page's fetch."""
    return (Meeting.objects.select_related("minutes").defer("minutes__body").prefetch_related(
        Prefetch("items", queryset=AgendaItem.objects.select_related("change", "decision", "decision__decided_by")
                 .only(*ITEM_COLUMNS, "change__requester_id", "change__owner_id", "decision__outcome",
                       "decision__reason", "decision__conditions", "decision__item_id",
                       "decision__decided_by__username")
                 .order_by("position", "id")),
        Prefetch("items__votes", queryset=Vote.objects.select_related("voter")
                 .only("item_id", "voter_id", "choice", "comment", "cast_at", "changed_at", "voter__username")
                 .order_by("cast_at", "id")),
        Prefetch("attendance", queryset=Attendance.objects.only("meeting_id", "user_id", "seat", "present")
                 .order_by("seat", "deputy", "user_id")),  # the model's order without joining the meeting
        Prefetch("actions", queryset=ActionItem.objects.select_related("owner")
                 .only("meeting_id", "kind", "title", "owner__username", "due_on", "status")),
    ))


ITEM_COLUMNS = ("meeting_id", "section", "position", "title", "change_id", "slot_id", "needs_decision", "snapshot",
                "note")


def board():
    return list(BoardMember.objects.filter(active=True).select_related("user"))


def item_tallies(meeting) -> dict[int, object]:
    """Per item: the live tally (everything already prefetched)."""
    attendance = list(meeting.attendance.all())
    present = {row.user_id for row in attendance if row.present}
    taken = bool(attendance)
    return {item.pk: tally([v for v in item.votes.all() if not (item.change and v.voter_id in
                                                                 (item.change.requester_id, item.change.owner_id))],
                           present, attendance_taken=taken)
            for item in meeting.items.all()}


def meeting_quorum(meeting):
    return quorum(list(meeting.attendance.all()))


def item_for_tally(item_id: int) -> AgendaItem:
    """One item with its meeting, change, decision and votes: the tally fragment (4 queries)."""
    return (AgendaItem.objects.select_related("meeting", "change", "decision", "decision__decided_by")
            .prefetch_related(Prefetch("votes", queryset=Vote.objects.select_related("voter")
                                       .order_by("cast_at", "id")),  # the page's order, ties included
                              Prefetch("meeting__attendance"))
            .get(pk=item_id))


def sections(meeting):
    """The agenda grouped for display: (section label, items) in position order."""
    groups = []
    for item in meeting.items.all():
        label = Section(item.section).label
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(item)
    return groups


@dataclass(frozen=True)
class MinutesView:
    """What the API shows of a meeting's minutes: the published record (or its purge notice), or a draft."""

    meeting: int
    published: bool
    published_at: datetime | None
    retain_until: date | None
    sha256: str | None
    purged_at: datetime | None
    notes: str
    markdown: str


def minutes_of(meeting) -> MinutesView:
    """The minutes of a meeting fetched by meeting_detail_queryset (no further query)."""
    record = getattr(meeting, "minutes", None)
    published = bool(record and record.published_at)
    return MinutesView(meeting=meeting.pk, published=published, published_at=record.published_at if record else None,
                       retain_until=record.retain_until if record else None,
                       sha256=record.body_sha256 if published else None,
                       purged_at=record.purged_at if record else None, notes=record.notes if record else "",
                       markdown=record_markdown(meeting, record))
