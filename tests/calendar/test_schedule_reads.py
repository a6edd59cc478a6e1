"""The schedule's reads (changes.calendar.schedule) run on every gate check, so their SQL is built
once per process: they return what the ORM query they replace returns, in one query."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changes import services
from changes.calendar import schedule
from changes.calendar.models import ConfigurationItem, DeploymentWindow
from changes.models import ChangeRequest
from tests.support import factories as f

pytestmark = pytest.mark.django_db


def test_the_windows_are_the_stored_rows_in_their_order():
    expected = [schedule.Window(w.weekday, w.starts, w.ends, tuple(w.risks)) for w in DeploymentWindow.objects.all()]
    assert expected
    with CaptureQueriesContext(connection) as queries:
        assert schedule.load_windows() == expected
    assert len(queries) == 1


def test_a_changes_services_are_those_it_names_and_those_of_its_items_with_or_without_a_prefetch(frozen, requester):
    database = ConfigurationItem.objects.create(service=f.make_service("ledger-db"), name="primary")
    search = f.make_service("search")
    change = services.create_change(actor=requester, data=f.complete_fields(
        services=[search.pk], configuration_items=[database.pk]))
    expected = {search.pk, database.service_id}
    loaded = ChangeRequest.objects.prefetch_related("services").get(pk=change.pk)
    with CaptureQueriesContext(connection) as queries:
        assert schedule.effective_service_ids(loaded) == expected
    assert len(queries) == 1  # the items' services; the named services were prefetched
    prefetched = ChangeRequest.objects.prefetch_related("services", "configuration_items").get(pk=change.pk)
    with CaptureQueriesContext(connection) as queries:
        assert schedule.effective_service_ids(prefetched) == expected
    assert len(queries) == 0
