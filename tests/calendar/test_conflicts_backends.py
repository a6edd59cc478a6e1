"""The PostgreSQL range query (tstzrange && with its GiST index) and the ORM query give the same
answers, and both match a plain Python reference, on a seeded mix of changes."""
import random
from datetime import datetime, timedelta

import pytest
from django.db import connection

from changes.calendar import conflicts
from changes.calendar.models import ConfigurationItem
from changes.choices import State
from changes.models import ChangeRequest, Service
from tests.support import factories as f

NY = f.NY
BASE = datetime(2026, 12, 1, 6, 0, tzinfo=NY)


@pytest.fixture
def seeded(db, requester):
    rng = random.Random(5)
    services = [Service.objects.create(name=f"svc-{i}") for i in range(6)]
    items = [ConfigurationItem.objects.create(service=s, name="db") for s in services]
    states = [State.DRAFT, State.READY, State.CANCELLED, State.CLOSED, State.DEPLOYED]
    changes = []
    for index in range(60):
        start = BASE + timedelta(minutes=30 * rng.randrange(0, 16))
        end = start + timedelta(minutes=30 * rng.randrange(1, 5))
        change = ChangeRequest.objects.create(title=f"c{index}", requester=requester, planned_start=start,
                                              planned_end=end)
        ChangeRequest.objects.filter(pk=change.pk).update(state=rng.choice(states))
        change.services.set(rng.sample(services, rng.randrange(0, 3)))
        change.configuration_items.set(rng.sample(items, rng.randrange(0, 2)))
        changes.append(change)
    return services, changes


def reference(start, end, service_ids, exclude_id):
    """What the answer must be, computed in Python from the rows."""
    result = []
    for change in ChangeRequest.objects.prefetch_related("services", "configuration_items"):
        touched = {s.pk for s in change.services.all()} | {i.service_id for i in change.configuration_items.all()}
        if (change.pk != exclude_id and change.state in conflicts.SCHEDULED_STATES and touched & set(service_ids)
                and change.planned_start < end and change.planned_end > start):
            result.append(change.pk)
    return sorted(result)


def probes(services):
    rng = random.Random(7)
    for _ in range(25):
        start = BASE + timedelta(minutes=15 * rng.randrange(0, 36))
        yield start, start + timedelta(minutes=15 * rng.randrange(1, 9)), [
            s.pk for s in rng.sample(services, rng.randrange(1, 3))]


def test_orm_query_matches_the_reference(seeded):
    services, changes = seeded
    for start, end, service_ids in probes(services):
        found = conflicts.overlapping(start=start, end=end, service_ids=service_ids, exclude_id=changes[0].pk,
                                      use_sql=False)
        assert sorted(row[0] for row in found) == reference(start, end, service_ids, changes[0].pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the range query is PostgreSQL-only")
def test_postgresql_range_query_matches_the_orm(seeded):
    services, changes = seeded
    for start, end, service_ids in probes(services):
        by_sql = conflicts.overlapping(start=start, end=end, service_ids=service_ids, exclude_id=changes[0].pk,
                                       use_sql=True)
        by_orm = conflicts.overlapping(start=start, end=end, service_ids=service_ids, exclude_id=changes[0].pk,
                                       use_sql=False)
        assert sorted(by_sql) == sorted(by_orm)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GiST index is PostgreSQL-only")
def test_postgresql_has_the_gist_range_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'change_planned_range_gist'")
        [(definition,)] = cursor.fetchall()
    assert "gist" in definition and "tstzrange(planned_start, planned_end)" in definition
