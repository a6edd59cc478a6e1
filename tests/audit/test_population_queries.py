"""The population export's defaults and its queries: a constant number per chunk of changes."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.support import lifecycle as life

pytestmark = pytest.mark.django_db


def test_the_default_period_is_the_last_90_days(client, auditor):
    client.force_login(auditor)
    today = timezone.localdate()
    response = client.get(reverse("audit:population-csv"))
    assert f'filename="population-{today - timedelta(days=90)}-{today}.csv"' in response["Content-Disposition"]


def test_population_queries_do_not_grow_with_the_changes_of_a_chunk(client, auditor, requester, frozen):
    client.force_login(auditor)
    url = reverse("audit:population-csv")

    made = []

    def queries(total):
        while len(made) < total:
            made.append(life.filed(requester))
        client.get(url)  # warm the session, the roles and the policy cache
        with CaptureQueriesContext(connection) as captured:
            lines = b"".join(client.get(url).streaming_content).decode().splitlines()
        assert len(lines) == total + 1
        return len(captured)

    assert queries(2) == queries(5)
