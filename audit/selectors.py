"""Reads of the ledger for the workspace: a filtered page by seq keyset, a change's full history
(CAB entries about it included), and the kept checkpoints and tree heads."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from cab.models import AgendaItem
from changemgmt.ledger.models import LedgerCheckpoint, LedgerEntry, TreeHead
from changemgmt.ledger.verifier import SIGNATURE_ALGORITHM
from changes.models import ChangeRequest

PAGE_SIZE = 50


@dataclass(frozen=True)
class LedgerFilter:
    actor: str = ""
    action: str = ""
    subject: str = ""
    start: date | None = None
    end: date | None = None


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_entries(chosen: LedgerFilter):
    """Entries matching the filter: actor name, action prefix, subject prefix, recorded in [start, end]."""
    rows = LedgerEntry.objects.all()
    if chosen.actor:
        rows = rows.filter(actor_name=chosen.actor)
    if chosen.action:
        rows = rows.filter(action__startswith=chosen.action)
    if chosen.subject:
        rows = rows.filter(subject__startswith=chosen.subject)
    if chosen.start:
        rows = rows.filter(recorded_at__gte=day_start(chosen.start))
    if chosen.end:
        rows = rows.filter(recorded_at__lt=day_start(chosen.end + timedelta(days=1)))
    return rows


def ledger_page(chosen: LedgerFilter, *, before: int | None = None, size: int = PAGE_SIZE):
    """One page, newest first, of entries with seq below `before`: a keyset on the unique seq index,
    so every page is one indexed range query whatever its depth (never OFFSET). Returns the entries
    and the `before` of the next page (None on the last)."""
    rows = filtered_entries(chosen).order_by("-seq")
    if before is not None:
        rows = rows.filter(seq__lt=before)
    page = list(rows[:size + 1])
    for entry in page:
        entry.change_id = _change_id(entry.subject)
    return page[:size], (page[size - 1].seq if len(page) > size else None)


def _change_id(subject: str) -> int | None:
    """The change an entry is about, when its subject is a change (to link its history)."""
    prefix = f"{ChangeRequest._meta.label_lower}:"
    return int(subject.removeprefix(prefix)) if subject.startswith(prefix) else None


def change_history(change) -> list[LedgerEntry]:
    """The change's own entries and the CAB's entries about it (meeting entries whose payload names
    the change, by id or reference, or one of its agenda items), oldest first."""
    items = list(AgendaItem.objects.filter(change=change).values_list("id", flat=True))
    about = Q(subject=f"{change._meta.label_lower}:{change.pk}")
    cab = Q(subject__startswith="cab.") & (Q(payload__change_id=change.pk) | Q(payload__change=change.reference)
                                        | Q(payload__item_id__in=items))
    return list(LedgerEntry.objects.filter(about | cab).order_by("seq"))


def checkpoints():
    return LedgerCheckpoint.objects.filter(algorithm=SIGNATURE_ALGORITHM).order_by("-seq", "-pk")


def tree_heads():
    return TreeHead.objects.order_by("-tree_size")
