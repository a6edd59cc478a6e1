"""Long lists count at most EXACT_COUNT_LIMIT + 1 rows: exact up to the limit; past it on PostgreSQL
the table's estimate ("about N") without filters, "more than N" with filters; one query either way."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changemgmt.web.paging import AT_LEAST, ESTIMATE, EXACT, bounded_count
from changes import services
from changes.models import ChangeRequest
from tests.support import factories as f

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates need PostgreSQL")


def file_changes(requester, count):
    return [services.create_change(actor=requester, data=f.complete_fields(title=f"Change {i}"))
            for i in range(count)]


def test_up_to_the_limit_the_count_is_exact(client, frozen, requester, settings):
    settings.EXACT_COUNT_LIMIT = 5
    file_changes(requester, 5)
    client.force_login(requester)
    assert "of 5 changes" in client.get(reverse("changes:list")).content.decode()
    assert client.get("/api/changes/").json()["count"] == 5
    assert bounded_count(ChangeRequest.objects.all(), 5) == (5, EXACT)


@on_postgresql
def test_past_the_limit_unfiltered_shows_the_estimate_and_filtered_more_than(client, frozen, requester, settings):
    settings.EXACT_COUNT_LIMIT = 3
    file_changes(requester, 6)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE changes_changerequest")
    assert bounded_count(ChangeRequest.objects.all(), 3) == (6, ESTIMATE)
    assert bounded_count(ChangeRequest.objects.filter(title__startswith="Change"), 3) == (4, AT_LEAST)
    client.force_login(requester)
    assert "of about 6 changes" in client.get(reverse("changes:list")).content.decode()
    assert "of more than 3 changes" in client.get(reverse("changes:list"), {"q": "Change"}).content.decode()
    assert client.get("/api/changes/").json()["count"] == 6


def test_the_count_is_one_query_below_and_past_the_limit(frozen, requester):
    file_changes(requester, 4)
    for limit in (10, 2):
        with CaptureQueriesContext(connection) as queries:
            bounded_count(ChangeRequest.objects.all(), limit)
        assert len(queries) == 1


@on_postgresql
def test_unfiltered_past_the_limit_the_estimate_is_read_without_counting(frozen, requester):
    """Once the table's estimate is past the limit an unfiltered list does not count at all: rows
    deleted after the estimate still show in it, which they would not if the rows had been counted."""
    changes = file_changes(requester, 6)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE changes_changerequest")
    ChangeRequest.objects.filter(pk__in=[change.pk for change in changes[:5]]).delete()
    assert bounded_count(ChangeRequest.objects.all(), 3) == (6, ESTIMATE)
    assert bounded_count(ChangeRequest.objects.all(), 6) == (1, EXACT)  # not past the limit: counted
    assert bounded_count(ChangeRequest.objects.filter(title__startswith="Change"), 3) == (1, EXACT)
