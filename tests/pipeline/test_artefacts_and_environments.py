"""The other writes of the pipeline package: letting a change carry several artefacts (API), and the
environments the gate governs (admin). Each is one ledger entry; a refusal writes nothing."""
import json

from changemgmt.models import LedgerEntry
from changes.pipeline.models import ArtefactAllowance, DeployEnvironment
from tests.support import lifecycle as life
from tests.support.api import authenticated


def allow(user, change, body):
    return authenticated(user).post(f"/api/pipeline/changes/{change.pk}/several-artefacts/", json.dumps(body),
                                    content_type="application/json")


def test_the_author_allows_several_artefacts_once_with_a_reason(frozen, requester):
    change = life.filed(requester)
    assert allow(requester, change, {}).status_code == 400
    answer = allow(requester, change, {"reason": "API and worker images."})
    assert answer.status_code == 201 and answer.json()["allowed_by"] == "alice"
    allow(requester, change, {"reason": "again"})
    assert ArtefactAllowance.objects.get().reason == "API and worker images."
    assert LedgerEntry.objects.filter(action="pipeline.several_artefacts_allowed").count() == 1


def test_others_and_auditors_may_not_allow_several_artefacts(frozen, requester, peer, auditor):
    change = life.filed(requester)
    before = LedgerEntry.objects.count()
    assert allow(peer, change, {"reason": "mine now"}).status_code == 403
    assert allow(auditor, change, {"reason": "read only"}).status_code == 403
    assert not ArtefactAllowance.objects.exists() and LedgerEntry.objects.count() == before


def test_an_administrator_adds_an_environment_in_the_admin_and_it_is_audited(admin_client):
    response = admin_client.post("/admin/changes/deployenvironment/add/", {"name": "eu-production",
                                                                           "description": "EU region"})
    assert response.status_code == 302
    assert DeployEnvironment.objects.filter(name="eu-production").exists()
    assert LedgerEntry.objects.get(action="pipeline.environment_added").payload["name"] == "eu-production"
