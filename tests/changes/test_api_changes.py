"""/api/changes/: list with the web list's filters, file, read, edit; auditors read only."""
import pytest

from approvals.models import ApprovalSlot
from changemgmt.models import LedgerEntry
from changes import models as change_models
from changes.models import ChangeRequest, Service, StandardTemplate
from tests.support import factories as f
from tests.support.api import (
    QueryCountContract,
    ReadAccessContract,
    assert_nothing_written,
    client_for,
    patch_json,
    post_json,
    rows,
)

LIST = "/api/changes/"


def detail_url(change) -> str:
    return f"/api/changes/{change.pk}/"


def bare_change(user, title="A change", **fields) -> ChangeRequest:
    return ChangeRequest.objects.create(title=title, requester=user, owner=user, team=user.team, **fields)


class TestChangeList(ReadAccessContract, QueryCountContract):
    @pytest.fixture
    def url(self, requester):
        self.requester = requester
        return LIST

    def grow(self, step):
        for i in range(step * 4):
            change = bare_change(self.requester, title=f"Change {step}-{i}")
            change.services.add(f.make_service(f"svc-{step}-{i}"), f.make_service("shared"))


class TestChangeDetail(ReadAccessContract, QueryCountContract):
    @pytest.fixture
    def url(self, requester, peer):
        self.requester, self.peer = requester, peer
        self.change = bare_change(requester)
        return detail_url(self.change)

    def grow(self, step):
        for i in range(step * 3):
            self.change.services.add(f.make_service(f"svc-{step}-{i}"))
            ApprovalSlot.objects.create(change=self.change, role="peer", ordinal=step * 10 + i, rule="r", policy="p",
                                        status="granted", decided_by=self.peer, decided_at=f.NOW)
            change_models.TestEvidence.objects.create(change=self.change, test_type="unit", result="passed",
                                                      summary="ok", recorded_by=self.requester)


def test_list_is_paginated_newest_first(requester, auditor):
    for i in range(55):
        bare_change(requester, title=f"Change {i}")
    body = client_for(auditor).get(LIST).json()
    assert body["count"] == 55 and len(body["results"]) == 50 and body["next"]
    assert body["results"][0]["title"] == "Change 54"
    assert body["results"][0]["reference"].startswith("CHG-")
    assert len(client_for(auditor).get(LIST + "?page=2").json()["results"]) == 5


def test_list_filters_like_the_web_list(requester, peer, auditor):
    db_change = bare_change(requester, title="Migrate ledger table", category="database", risk_level="high")
    db_change.services.add(f.make_service("ledger-db"))
    bare_change(peer, title="Tweak logging", category="application", risk_level="low")
    client = client_for(auditor)

    def titles(query):
        response = client.get(LIST + query)
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles("?category=database") == ["Migrate ledger table"]
    assert titles("?risk_level=low") == ["Tweak logging"]
    assert titles(f"?owner={peer.pk}") == ["Tweak logging"]
    assert titles(f"?service={Service.objects.get(name='ledger-db').pk}") == ["Migrate ledger table"]
    assert titles("?q=ledger") == ["Migrate ledger table"]
    assert titles(f"?q={db_change.reference}") == ["Migrate ledger table"]
    assert titles("?state=draft&state=approval") == ["Tweak logging", "Migrate ledger table"]


def test_an_invalid_filter_value_is_a_400_naming_it(auditor):
    response = client_for(auditor).get(LIST + "?state=nonsense")
    assert response.status_code == 400 and "state" in response.json()


def test_requester_files_a_change(frozen, requester):
    before = LedgerEntry.objects.count()
    response = post_json(client_for(requester), LIST, f.complete_fields())
    assert response.status_code == 201, response.content
    body = response.json()
    change = ChangeRequest.objects.get(pk=body["id"])
    assert body["reference"] == f"CHG-{change.pk:06d}"
    assert (body["state"], body["owner"]["username"], body["services"][0]["name"]) == ("draft", "alice",
                                                                                       "payments-api")
    assert body["risk"] == {"scores": {"systems": None, "users": None, "data": None, "reversibility": None,
                                       "security": None}, "total": None, "computed": "", "override": "",
                            "override_reason": "", "override_by": None, "final": ""}
    assert body["approvals"] == {"pending": 0, "granted": 0, "rejected": 0, "slots": []}
    assert LedgerEntry.objects.count() == before + 1
    assert LedgerEntry.objects.last().action == "change.created"


def test_filing_from_a_standard_template_makes_a_standard_change(frozen, requester):
    template = StandardTemplate.objects.create(
        name="Patch bump", description="Bump a patch version.", category="application",
        implementation_plan="Merge.", test_plan="Unit suite.", rollback_plan="Revert.",
        risk_scores={"systems": 1, "users": 1, "data": 1, "reversibility": 1, "security": 1})
    fields = f.complete_fields()
    for name in StandardTemplate.CONTROLLED_FIELDS:
        fields.pop(name)
    response = post_json(client_for(requester), LIST, {**fields, "template": template.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["change_type"], body["template"], body["risk"]["final"]) == ("standard", template.pk, "low")


def test_unknown_template_is_a_400_naming_template(requester):
    before = rows()
    response = post_json(client_for(requester), LIST, {**f.complete_fields(), "template": 999999})
    assert response.status_code == 400 and "template" in response.json()
    assert_nothing_written(before)


def test_retrieve_shows_scorecard_and_approval_summary(frozen, requester, peer, auditor):
    from tests.support.lifecycle import in_approval

    change = in_approval(requester, scores=f.MEDIUM_RISK)
    slot = change.approval_slots.order_by("id").first()
    post_json(client_for(peer), f"/api/approvals/{slot.pk}/decide/", {"verdict": "grant"})
    body = client_for(auditor).get(detail_url(change)).json()
    assert body["risk"]["scores"] == {"systems": 2, "users": 2, "data": 2, "reversibility": 1, "security": 1}
    assert (body["risk"]["total"], body["risk"]["computed"], body["risk"]["final"]) == (8, "medium", "medium")
    summary = body["approvals"]
    assert summary["granted"] == 1 and summary["pending"] == len(summary["slots"]) - 1
    assert summary["slots"][0]["decided_by"] == "bob"


def test_missing_change_is_404(auditor):
    assert client_for(auditor).get("/api/changes/999999/").status_code == 404


def test_author_edits_with_patch_and_the_ledger_records_it(requester):
    change = bare_change(requester)
    response = patch_json(client_for(requester), detail_url(change), {"title": "Better title"})
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Better title" and response.json()["notices"] == []
    assert LedgerEntry.objects.filter(action="change.updated", subject=f"changes.changerequest:{change.pk}").exists()


def test_put_is_not_offered(requester):
    change = bare_change(requester)
    response = client_for(requester).put(detail_url(change), {"title": "x"}, format="json")
    assert response.status_code == 405


def test_someone_else_cannot_edit_a_change(requester, peer):
    change = bare_change(requester)
    before = rows()
    response = patch_json(client_for(peer), detail_url(change), {"title": "Hijacked"})
    assert response.status_code == 403
    assert f.reload(change).title == "A change"
    assert_nothing_written(before)


def test_auditor_reads_but_cannot_file_or_edit(requester, auditor):
    change = bare_change(requester)
    client = client_for(auditor)
    before = rows()
    assert post_json(client, LIST, f.complete_fields()).status_code == 403
    assert patch_json(client, detail_url(change), {"title": "x"}).status_code == 403
    assert_nothing_written(before)


def test_user_without_role_cannot_file(outsider):
    before = rows()
    assert post_json(client_for(outsider), LIST, f.complete_fields()).status_code == 403
    assert_nothing_written(before)


def test_script_tags_are_stored_as_text_and_returned_verbatim(requester):
    title = '<script>alert("x")</script>'
    response = post_json(client_for(requester), LIST, {"title": title, "description": "<b>bold</b> & co"})
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
    fetched = client_for(requester).get(detail_url(ChangeRequest.objects.get(pk=response.json()["id"]))).json()
    assert (fetched["title"], fetched["description"]) == (title, "<b>bold</b> & co")


def test_list_rows_equal_drf_generic_rendering(frozen, requester, peer):
    """The hand-built list row (the fast path) must say exactly what the declared fields say."""
    from changes import selectors
    from changes.api import selectors as api_selectors
    from changes.api.serializers import ChangeListSerializer, ChangeSummarySerializer

    full = bare_change(requester, title="<b>Tag</b> & co", risk_level="high", planned_start=f.PLANNED_START,
                       planned_end=f.PLANNED_END)
    full.services.add(f.make_service("zeta"), f.make_service("alpha"))
    peer.first_name, peer.last_name = "Pia", "Peer"
    peer.save()
    ChangeRequest.objects.filter(pk=full.pk).update(owner=peer)
    ChangeRequest.objects.create(title="No owner", requester=requester, owner=None)
    rows_ = api_selectors.page_rows(api_selectors.change_rows().order_by("id")[:50])
    generic = ChangeSummarySerializer(selectors.change_list().order_by("id"), many=True).data
    fast = ChangeListSerializer(rows_, many=True).data
    assert ChangeListSerializer(rows_[0]).data == fast[0]
    assert [list(row) for row in fast] == [list(row) for row in generic]
    assert fast == generic
    assert [s["name"] for s in fast[0]["services"]] == ["alpha", "zeta"] and fast[1]["owner"] is None
    assert fast[0]["owner"]["name"] == "Pia Peer" and fast[0]["planned_start"].endswith("-05:00")
