"""Agendas: generating one (storing the snapshot cab.agenda builds) and the due ones (the beat job),
and the chair's edits before the meeting: add, remove, reorder."""
from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from approvals.choices import SlotRole, SlotStatus
from cab.agenda import build_items, change_snapshot, previous_meeting_start
from cab.choices import MeetingStatus, Section
from cab.models import AgendaItem, Meeting
from cab.services.common import lock_meeting, refuse_if_published, require_chair
from changemgmt import ledger, policy
from changemgmt.errors import Conflict
from changes.choices import ChangeType, State
from changes.selectors import change_detail_queryset

NOT_BEFORE = "The agenda can only be edited before the meeting starts."


def generate_agenda(*, meeting_id: int, actor=None) -> Meeting:
    """Generate and store the agenda once (idempotent: a second call returns the stored one)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.agenda_generated_at is not None:
            return meeting
        now = timezone.now()
        since = previous_meeting_start(meeting)
        items = build_items(meeting, since, now)
        store_items(items)
        meeting.since = since
        meeting.agenda_generated_at = now
        meeting.save(update_fields=["since", "agenda_generated_at"])
        counts = defaultdict(int)
        for item in items:
            counts[str(item.section)] += 1
        ledger.append(actor=actor, action="cab.agenda_generated", subject=meeting,
                      payload={"since": since, "items_by_section": dict(counts)})
        return meeting


def store_items(items: list[AgendaItem]) -> None:
    """Write generated items (their ids are not read back). On PostgreSQL as COPY: one INSERT of a whole
    agenda spent most of its time in PostgreSQL parsing the statement, the ~230 KiB of snapshots written
    in its text (bench/README.md: 37 ms against 17.5 for COPY at a million closed changes). Django logs
    the COPY as one of the request's queries, as it logged the INSERT. Elsewhere, Django's bulk insert."""
    connection = connections[router.db_for_write(AgendaItem)]
    if connection.vendor != "postgresql":
        AgendaItem.objects.bulk_create(items)
        return
    fields = [field for field in AgendaItem._meta.concrete_fields if not field.primary_key]
    sql = (f"COPY {connection.ops.quote_name(AgendaItem._meta.db_table)} "
           f"({', '.join(connection.ops.quote_name(field.column) for field in fields)}) FROM STDIN")
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for item in items:
            copy.write_row([field.get_db_prep_save(field.pre_save(item, True), connection) for field in fields])


def generate_due_agendas() -> int:
    """Generate the agenda of every scheduled meeting that is within `agenda_lead_hours`; a sweep
    missed while the worker was down catches up on the next run."""
    lead = timedelta(hours=policy.get("cab")["agenda_lead_hours"])
    due = list(Meeting.objects.filter(status=MeetingStatus.SCHEDULED, agenda_generated_at__isnull=True,
                                      starts_at__lte=timezone.now() + lead).values_list("pk", flat=True))
    for meeting_id in due:
        generate_agenda(meeting_id=meeting_id)
    return len(due)


def _editable(meeting, allow_started=False):
    allowed = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS) if allow_started else (MeetingStatus.SCHEDULED,)
    if meeting.status not in allowed:
        raise Conflict(NOT_BEFORE)


def add_item(*, meeting_id: int, actor, change_id: int | None = None, title: str = "", note: str = "",
             allow_during_meeting: bool = False) -> AgendaItem:
    """Add a change (a decision item when its CAB approval is pending) or a topic of other business."""
    require_chair(actor, "edit the agenda")
    refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="add agenda item")
    title, note = (title or "").strip(), (note or "").strip()
    if change_id is None and not title:
        raise ValidationError({"title": "Name the topic, or pick a change."})
    generate_agenda(meeting_id=meeting_id, actor=actor)
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        _editable(meeting, allow_during_meeting)
        position = (meeting.items.aggregate(top=Max("position"))["top"] or 0) + 1
        item = AgendaItem(meeting=meeting, section=Section.OTHER, position=position, title=title[:300], note=note,
                          added_by=actor)
        if change_id is not None:
            change = change_detail_queryset().filter(pk=change_id).first()
            if change is None:
                raise ValidationError({"change": "No change with this id."})
            slot = next((s for s in change.approval_slots.all()
                         if s.role == SlotRole.CAB and s.status == SlotStatus.PENDING), None)
            # Pending CAB approval: of a change in approval, or the post-hoc one of a deployed emergency change.
            if slot is not None and (change.state == State.APPROVAL or change.change_type == ChangeType.EMERGENCY):
                if meeting.items.filter(slot=slot).exists():
                    raise Conflict(f"{change.reference} is already on this agenda for decision.")
                item.slot, item.needs_decision, item.section = slot, True, Section.AWAITING
            item.change = change
            item.title = (title or f"{change.reference} {change.title}")[:300]
            item.snapshot = change_snapshot(change, [])
        item.save()
        ledger.append(actor=actor, action="cab.agenda_item_added", subject=meeting,
                      payload={"item_id": item.pk, "title": item.title, "needs_decision": item.needs_decision})
        return item


def remove_item(*, item_id: int, actor) -> None:
    meeting_id = AgendaItem.objects.filter(pk=item_id).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise AgendaItem.DoesNotExist(f"No agenda item {item_id}")
    require_chair(actor, "edit the agenda")
    refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="remove agenda item")
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        _editable(meeting)
        item = AgendaItem.objects.select_for_update().get(pk=item_id)
        if item.votes.exists():
            raise Conflict("Members have already voted on this item; it stays on the agenda (defer it instead).")
        ledger.append(actor=actor, action="cab.agenda_item_removed", subject=meeting,
                      payload={"item_id": item.pk, "title": item.title})
        item.delete()


def reorder(*, meeting_id: int, actor, item_ids) -> None:
    """Put the items in the given order (every item of the meeting, each once)."""
    require_chair(actor, "edit the agenda")
    refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="reorder agenda")
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        _editable(meeting)
        items = {item.pk: item for item in meeting.items.select_for_update()}
        try:
            order = [int(pk) for pk in item_ids]
        except (TypeError, ValueError) as exc:
            raise ValidationError({"items": "A list of agenda item ids."}) from exc
        if sorted(order) != sorted(items):
            raise ValidationError({"items": "List every item of this agenda exactly once."})
        for position, pk in enumerate(order, start=1):
            items[pk].position = position
        AgendaItem.objects.bulk_update(list(items.values()), ["position"])
        ledger.append(actor=actor, action="cab.agenda_reordered", subject=meeting, payload={"order": order})


def move(*, item_id: int, actor, offset: int) -> None:
    """Move one item up (offset -1) or down (+1): the page's buttons."""
    item = AgendaItem.objects.filter(pk=item_id).first()
    if item is None:
        raise AgendaItem.DoesNotExist(f"No agenda item {item_id}")
    order = list(AgendaItem.objects.filter(meeting_id=item.meeting_id).order_by("position", "id")
                 .values_list("pk", flat=True))
    index = order.index(item.pk)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    reorder(meeting_id=item.meeting_id, actor=actor, item_ids=order)
