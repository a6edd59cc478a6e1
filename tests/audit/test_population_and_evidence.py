"""Population and exceptions for a period (issue 11 §2) and the evidence pack of one change (§3)."""
import csv
import io
import json
import zipfile

import openpyxl
import pytest
from django.urls import reverse
from django.utils.timezone import localdate

from changemgmt.ledger.merkle_verify import check_inclusion
from changemgmt.ledger.models import MerkleNode, TreeHead
from changes.models import ChangeRequest
from tests.support import lifecycle as life

pytestmark = pytest.mark.django_db
PACK_FILES = {"README.txt", "change.json", "approvals.json", "test_evidence.json", "rollbacks.json",
              "gate_decisions.json", "emergency.json", "cab.json", "field_history.json", "ledger/entries.jsonl",
              "ledger/tree_head.json"}


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_population_exceptions_and_xlsx(client, auditor, requester, peer, peer2, frozen):
    compliant = life.deployed(requester, [peer, peer2], frozen)
    broken = life.filed(requester, title="Cancelled without saying why")
    ChangeRequest.objects.filter(pk=broken.pk).update(state="cancelled")  # as if written past the services
    client.force_login(auditor)
    period = {"from": localdate(compliant.created_at).isoformat(), "to": localdate(broken.created_at).isoformat()}

    rows = list(csv.DictReader(io.StringIO(_body(client.get(reverse("audit:population-csv"), period)))))
    by_reference = {row["reference"]: row for row in rows}
    assert set(by_reference) == {compliant.reference, broken.reference}
    good = by_reference[compliant.reference]
    assert (good["type"], good["risk"], good["state"]) == ("normal", "low", "deployed")
    assert {good[name] for name in ("approvals_complete_before_deploy", "separation_of_duties_held",
                                    "tests_per_risk_present", "deployed_inside_window")} == {"yes"}
    assert (good["pir_done"], good["emergency_paperwork_on_time"], good["exceptions"]) == ("n/a", "n/a", "")
    assert "exit_has_a_reason" in by_reference[broken.reference]["exceptions"]

    exceptions = list(csv.DictReader(io.StringIO(_body(client.get(reverse("audit:exceptions-csv"), period)))))
    assert {"reference": broken.reference, "rule": "exit_has_a_reason",
            "policy": "POLICY §4 (reject, cancel: a reason)", "message": "cancelled without a reason"} in exceptions
    assert all(row["reference"] == broken.reference for row in exceptions)

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(reverse("audit:population-xlsx"), period).content))
    sheet = list(workbook.active.values)
    assert sheet[0][0] == "reference" and {row[0] for row in sheet[1:]} == {compliant.reference, broken.reference}

    before = {"from": "2000-01-01", "to": "2000-01-31"}
    assert len(list(csv.reader(io.StringIO(_body(client.get(reverse("audit:population-csv"), before)))))) == 1
    refused = client.get(reverse("audit:population-csv"), {"from": "soon"})
    assert refused.status_code == 400 and "from" in refused.json()["errors"]


def test_evidence_pack_proofs_verify_against_the_signed_head(client, auditor, requester, peer, peer2, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    client.force_login(auditor)
    assert not TreeHead.objects.exists()
    response = client.get(reverse("audit:evidence", args=[change.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert PACK_FILES <= names
    head = json.loads(archive.read("ledger/tree_head.json"))
    entries = [json.loads(line) for line in archive.read("ledger/entries.jsonl").decode().splitlines()]
    assert entries and entries[0]["action"] == "change.created"
    for entry in entries:
        proof = json.loads(archive.read(f"ledger/proofs/{entry['seq']}.json"))
        assert check_inclusion(entry, proof, head) is None
    tampered = {**entries[0], "actor": "someone else"}
    assert check_inclusion(tampered, json.loads(archive.read(f"ledger/proofs/{entries[0]['seq']}.json")), head)
    approvals = json.loads(archive.read("approvals.json"))
    assert {a["decided_by"] for a in approvals if a["status"] == "granted"} == {"bob", "pat"}
    granted = [a for a in approvals if a["status"] == "granted"]
    assert {(a["how"], a["on_behalf_of"]) for a in granted} == {("in person", None)}
    assert all(a["decided_at"] and a["ledger_seq"] for a in granted)
    assert len(json.loads(archive.read("test_evidence.json"))) == 5
    assert json.loads(archive.read("field_history.json"))["change"]
    assert "merkle_verify.py inclusion" in archive.read("README.txt").decode()
    assert TreeHead.objects.count() == 1
    client.get(reverse("audit:evidence", args=[change.pk]))
    assert TreeHead.objects.count() == 1  # the head signed for the first pack still covers the change


def test_evidence_pack_of_a_tree_out_of_step_is_a_409_naming_the_fix(client, auditor, requester, frozen):
    change = life.filed(requester)
    MerkleNode.objects.filter(level=0).order_by("-index")[:1].get().delete()
    client.force_login(auditor)
    response = client.get(reverse("audit:evidence", args=[change.pk]))
    assert response.status_code == 409 and "merkle backfill" in response.content.decode()
    assert not TreeHead.objects.exists()
