"""Conflicts [POLICY §6]: two changes touching the same service or configuration item in overlapping
time. Recomputed at once, inside the saving transaction, whenever a change is created, edited or
leaves the schedule (domain events; changes.calendar.services.recompute_conflicts), and stored as
ChangeConflict rows shown on both changes. This module finds them.

A change touches the services it names and the services of the configuration items it names, so a
change on one item of a service conflicts with a change on the whole service.

On PostgreSQL the overlap search is a `&&` on tstzrange(planned_start, planned_end), served by the
GiST expression index of migration 0003; elsewhere the ORM asks the same question with two
comparisons. tests/calendar/test_conflicts_backends.py checks both give the same answers.
"""
from datetime import datetime

from django.db import connection
from django.db.models import Q

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


def touches(change) -> tuple[dict[int, str], dict[int, str]]:
    """({service id: name}, {item id: name}) a prefetched change touches."""
    services = {s.pk: s.name for s in change.services.all()}
    items = {}
    for item in change.configuration_items.all():
        services.setdefault(item.service_id, item.service.name)
        items[item.pk] = str(item)
    return services, items


def prefetched(queryset):
    return queryset.prefetch_related("services", "configuration_items__service")


def conflicts_of(change_id: int):
    """The stored conflicts of a change, with both sides, in one query."""
    return (ChangeConflict.objects.filter(Q(change_id=change_id) | Q(other_id=change_id))
            .select_related("change", "other", "change__owner", "other__owner"))
