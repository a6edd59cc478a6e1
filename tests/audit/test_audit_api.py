"""The audit workspace through the API (issue 11): the ledger filtered and paged, population,
exceptions, tombstones and the evidence pack, for auditors (with a token too) and administrators only."""
import io
import zipfile

import pytest
from django.utils.timezone import localdate

from changemgmt.models import LedgerEntry
from changes.models import ChangeRequest
from tests.support import lifecycle as life
from tests.support.api import client_for, queries_for, token_client

pytestmark = pytest.mark.django_db


def test_auditor_token_reads_ledger_population_exceptions_and_pack(auditor, requester, peer, peer2, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    broken = life.filed(requester, title="Cancelled without saying why")
    ChangeRequest.objects.filter(pk=broken.pk).update(state="cancelled")  # as if written past the services
    api = token_client(auditor)

    page = api.get("/api/audit/ledger/", {"subject": f"changes.changerequest:{change.pk}", "action": "change."})
    assert page.status_code == 200
    results = page.json()["results"]
    assert results and all(row["action"].startswith("change.") for row in results)
    assert [row["seq"] for row in results] == sorted((row["seq"] for row in results), reverse=True)
    first = api.get("/api/audit/ledger/", {"before": results[0]["seq"]}).json()["results"]
    assert all(row["seq"] < results[0]["seq"] for row in first)
    assert "end" in api.get("/api/audit/ledger/", {"start": "2026-02-02", "end": "2026-02-01"}).json()
    assert "start" in api.get("/api/audit/ledger/", {"start": "yesterday"}).json()

    period = {"from": localdate(change.created_at).isoformat(), "to": localdate(broken.created_at).isoformat()}
    rows = {row["reference"]: row for row in api.get("/api/audit/population/", period).json()["rows"]}
    assert rows[change.reference]["tests_per_risk_present"] == "yes"
    assert "exit_has_a_reason" in rows[broken.reference]["exceptions"]
    exceptions = api.get("/api/audit/exceptions/", period).json()
    assert {row["reference"] for row in exceptions} == {broken.reference}
    assert "to" in api.get("/api/audit/population/", {"from": "2026-02-02", "to": "2026-01-01"}).json()

    pack = api.get(f"/api/audit/changes/{change.pk}/evidence/")
    assert pack.status_code == 200 and pack["Content-Type"] == "application/zip"
    assert "README.txt" in zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
    assert api.get("/api/audit/changes/999999/evidence/").status_code == 404
    assert api.get("/api/audit/tombstones/").json() == []
    assert api.get("/api/audit/tombstones/", {"change": "x"}).status_code == 400


def test_everyone_else_is_refused(requester, outsider):
    for user in (requester, outsider):
        for url in ("/api/audit/ledger/", "/api/audit/population/", "/api/audit/exceptions/",
                    "/api/audit/tombstones/", "/api/audit/changes/1/evidence/"):
            assert client_for(user).get(url).status_code == 403
    assert client_for().get("/api/audit/ledger/").status_code in (401, 403)


def test_ledger_page_costs_the_same_queries_at_two_sizes(auditor, requester):
    api = client_for(auditor)
    life.filed(requester)
    small = queries_for(api, "/api/audit/ledger/")
    for index in range(60):
        life.filed(requester, title=f"Change {index}")
    assert LedgerEntry.objects.count() > 60
    assert queries_for(api, "/api/audit/ledger/") == small
