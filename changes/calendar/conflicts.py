"""Conflicts [POLICY §6]: two changes touching the same service or configuration item in overlapping
time. Recomputed at once, inside the saving transaction, whenever a change is created, edited or
leaves the schedule (domain events), and stored as ChangeConflict rows shown on both changes.

A change touches the services it names and the services of the configuration items it names, so a
change on one item of a service conflicts with a change on the whole service.

On PostgreSQL the overlap search is a `&&` on tstzrange(planned_start, planned_end), served by the
GiST expression index of migration 0003; elsewhere the ORM asks the same question with two
comparisons. tests/calendar/test_conflicts_backends.py checks both give the same answers.
"""
from datetime import datetime

from django.db import connection
from django.db.models import F, Q

from changemgmt import events, ledger
from changes.calendar.models import ChangeConflict, ConfigurationItem
from changes.choices import State
from changes.models import ChangeRequest

# A change occupies its slot from filing until it is deployed; later states no longer block others.
SCHEDULED_STATES = [State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY, State.DEPLOYED]
TOPICS = ["change.created", "change.updated", "change.cancel", "change.reject", "change.verify",
          "change.roll_back", "change.close", "change.deploy"]


def _pg_overlapping(start, end, service_ids, exclude_id) -> list[tuple[int, datetime, datetime]]:
    change = ChangeRequest._meta.db_table
    through_services = ChangeRequest.services.through._meta.db_table
    through_items = ChangeRequest.configuration_items.through._meta.db_table
    items = ConfigurationItem._meta.db_table
    sql = f"""
        SELECT c.id, c.planned_start, c.planned_end FROM {change} c
        WHERE c.planned_start IS NOT NULL AND c.planned_end IS NOT NULL
          AND tstzrange(c.planned_start, c.planned_end) && tstzrange(%s, %s)
          AND c.state = ANY(%s) AND c.id <> %s
          AND (EXISTS (SELECT 1 FROM {through_services} s
                       WHERE s.changerequest_id = c.id AND s.service_id = ANY(%s))
               OR EXISTS (SELECT 1 FROM {through_items} x JOIN {items} ci ON ci.id = x.configurationitem_id
                          WHERE x.changerequest_id = c.id AND ci.service_id = ANY(%s)))
        ORDER BY c.planned_start, c.id"""
    ids = list(service_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end, [str(s) for s in SCHEDULED_STATES], exclude_id or 0, ids, ids])
        return [tuple(row) for row in cursor.fetchall()]


def _orm_overlapping(start, end, service_ids, exclude_id) -> list[tuple[int, datetime, datetime]]:
    ids = list(service_ids)
    rows = (ChangeRequest.objects.filter(planned_start__isnull=False, planned_end__isnull=False,
                                         planned_start__lt=end, planned_end__gt=start, state__in=SCHEDULED_STATES)
            .filter(Q(services__in=ids) | Q(configuration_items__service__in=ids))
            .exclude(pk=exclude_id or 0).order_by("planned_start", "id")
            .values_list("id", "planned_start", "planned_end").distinct())
    return list(rows)


def overlapping(*, start, end, service_ids, exclude_id=None, use_sql=None) -> list[tuple[int, datetime, datetime]]:
    """(id, planned_start, planned_end) of scheduled changes touching `service_ids` during [start, end).
    `use_sql` forces the PostgreSQL range query (True) or the ORM (False); default: by backend."""
    if not service_ids:
        return []
    if use_sql is None:
        use_sql = connection.vendor == "postgresql"
    return (_pg_overlapping if use_sql else _orm_overlapping)(start, end, service_ids, exclude_id)


def _touches(change) -> tuple[dict[int, str], dict[int, str]]:
    """({service id: name}, {item id: name}) a prefetched change touches."""
    services = {s.pk: s.name for s in change.services.all()}
    items = {}
    for item in change.configuration_items.all():
        services.setdefault(item.service_id, item.service.name)
        items[item.pk] = str(item)
    return services, items


def _prefetched(queryset):
    return queryset.prefetch_related("services", "configuration_items__service")


def recompute(*, change_id: int, actor=None) -> list[ChangeConflict]:
    """Bring the stored conflicts of one change up to date; return the newly detected ones.
    Runs inside the caller's transaction; publishes "change.conflict_detected" for each new one."""
    change = _prefetched(ChangeRequest.objects.select_related("owner")).get(pk=change_id)
    existing = {(c.change_id, c.other_id): c for c in ChangeConflict.objects.filter(Q(change=change) | Q(other=change))}
    wanted = {}
    if change.state in SCHEDULED_STATES and change.planned_start and change.planned_end:
        my_services, my_items = _touches(change)
        rows = overlapping(start=change.planned_start, end=change.planned_end, service_ids=my_services,
                           exclude_id=change.pk)
        others = _prefetched(ChangeRequest.objects.select_related("owner")).filter(pk__in=[r[0] for r in rows])
        for other in (others if rows else []):
            services, items = _touches(other)
            pair = tuple(sorted((change.pk, other.pk)))
            wanted[pair] = (other, {
                "services": sorted(my_services[s] for s in set(my_services) & set(services)),
                "items": sorted(my_items[i] for i in set(my_items) & set(items)),
            }, max(change.planned_start, other.planned_start), min(change.planned_end, other.planned_end))
    stale = [c for pair, c in existing.items() if pair not in wanted]
    if stale:
        ChangeConflict.objects.filter(pk__in=[c.pk for c in stale]).delete()
        ledger.append(actor=actor, action="change.conflicts_cleared", subject=change,
                      payload={"with": sorted(c.other_id if c.change_id == change.pk else c.change_id for c in stale)})
    created = []
    for pair, (other, shared, overlap_start, overlap_end) in wanted.items():
        row = existing.get(pair)
        if row is not None:
            if (row.shared, row.overlap_start, row.overlap_end) != (shared, overlap_start, overlap_end):
                row.shared, row.overlap_start, row.overlap_end = shared, overlap_start, overlap_end
                row.save(update_fields=["shared", "overlap_start", "overlap_end"])
            continue
        row = ChangeConflict.objects.create(change_id=pair[0], other_id=pair[1], shared=shared,
                                            overlap_start=overlap_start, overlap_end=overlap_end)
        created.append(row)
        ledger.append(actor=actor, action="change.conflict_detected", subject=change, payload={
            "other": other.reference, "shared": shared, "overlap_start": overlap_start, "overlap_end": overlap_end})
        events.publish("change.conflict_detected", actor=actor, conflict_id=row.pk, change_id=change.pk,
                       other_id=other.pk, owner_ids=sorted({u for u in (change.owner_id or change.requester_id,
                                                                        other.owner_id or other.requester_id)}),
                       shared=shared)
    return created


def conflicts_of(change_id: int):
    """The stored conflicts of a change, with both sides, in one query."""
    return (ChangeConflict.objects.filter(Q(change_id=change_id) | Q(other_id=change_id))
            .select_related("change", "other", "change__owner", "other__owner"))


def _on_change_event(*, actor=None, change_id, fields=None, **_):
    if fields is not None and {"planned_start", "planned_end"} & set(fields):
        ChangeRequest.objects.filter(pk=change_id).update(schedule_sequence=F("schedule_sequence") + 1)
    recompute(change_id=change_id, actor=actor)


def connect():
    for topic in TOPICS:
        events.subscribe(topic, _on_change_event)
