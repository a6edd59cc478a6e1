"""The API's hand-built change JSON (changes.api.representation, read by changes.api.selectors) says
exactly what DRF's field-by-field rendering of the declared serializers says: the same keys in the same
order, the same values, byte for byte once encoded; for a change with every relation filled and for a
bare one, on SQLite and on PostgreSQL."""
import json
from datetime import timedelta

from approvals.models import ApprovalSlot
from changes import models as change_models
from changes.api.serializers import ChangeDetailSerializer, ChangeSavedSerializer
from changes.api.views import change_detail, change_json
from changes.models import ChangeRequest, RollbackRecord
from tests.support import factories as f
from tests.support.api import client_for, patch_json

LIST = "/api/changes/"


def encoded(body) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def full_change(requester, peer, manager) -> ChangeRequest:
    """A change with every field and relation the detail shows set, ties and odd values included."""
    peer.first_name, peer.last_name = "Pia", "Peer"
    peer.save()
    change = ChangeRequest.objects.create(
        title="<b>Rotate</b> the TLS certificate & co", requester=requester, owner=peer, team=requester.team,
        description="Line one\nLine two «ü»", planned_start=f.PLANNED_START, planned_end=f.PLANNED_END,
        external_source="jira", external_key="PAY-42", ticket_url="https://jira.example.com/browse/PAY-42",
        security_triggers=["auth", "secrets"], template=f.make_template(), risk_systems=3, risk_users=2,
        risk_data=2, risk_reversibility=1, risk_security=1, risk_computed="high", risk_override="critical",
        risk_override_reason="Payments.", risk_override_by=manager, risk_level="critical",
        predeploy_checklist={"backup": True}, verification_checks={"smoke": True}, outcome="successful",
        review_answers={"went_well": True, "surprises": False}, lessons_learned="More canaries.")
    ChangeRequest.objects.filter(pk=change.pk).update(submitted_at=f.NOW, approved_at=f.NOW + timedelta(
        microseconds=120000), deployed_at=f.DEPLOY_TIME, closed_at=f.NOW + timedelta(days=3))
    change.services.add(f.make_service("zeta-api"), f.make_service("alpha-db"), f.make_service("Mid-cache"))
    superseded = ApprovalSlot.objects.create(change=change, role="peer", ordinal=1, rule="r1", policy="POLICY §3",
                                             status="superseded")
    ApprovalSlot.objects.create(change=change, role="peer", ordinal=1, rule="r1", policy="POLICY §3",
                                status="granted", decided_by=manager, on_behalf_of=peer, decided_at=f.NOW,
                                due_at=f.NOW + timedelta(hours=4), reason="Fine.", channel="api")
    ApprovalSlot.objects.create(change=change, role="manager", ordinal=1, rule="r2", policy="POLICY §3",
                                status="rejected", decided_by=manager, decided_at=f.NOW, reason="No.")
    ApprovalSlot.objects.create(change=change, role="security", ordinal=2, rule="r3", policy="POLICY §5",
                                due_at=f.NOW + timedelta(days=1, microseconds=5))
    assert superseded.pk < change.approval_slots.order_by("-id").first().pk
    for minutes, result in ((0, "passed"), (30, "failed"), (10, "passed")):
        evidence = change_models.TestEvidence.objects.create(
            change=change, test_type="unit", result=result, summary=f"run {minutes}", recorded_by=requester,
            evidence_url="https://ci.example.com/1" if minutes else "")
        change_models.TestEvidence.objects.filter(pk=evidence.pk).update(recorded_at=f.NOW + timedelta(minutes=minutes))
    for hours, automatic in ((1, True), (5, False)):
        RollbackRecord.objects.create(
            change=change, severity="sev2", trigger="error_rate", kind="full", decided_by=peer,
            decided_at=f.NOW + timedelta(hours=hours), completed_at=f.NOW + timedelta(hours=hours, minutes=20),
            reason="Errors.", steps_executed="Redeployed.", impact="Some.", root_cause="Config.",
            preventive_measures="Tests.", automatic=automatic)
    return change


def assert_same(fast, generic):
    assert list(fast) == list(generic)
    assert fast == generic
    assert encoded(fast) == encoded(generic)


def test_a_full_change_renders_as_the_declared_serializer(frozen, requester, peer, manager):
    change = full_change(requester, peer, manager)
    fast = change_json(change.pk)
    assert_same(fast, ChangeDetailSerializer(change_detail(change.pk)).data)
    assert [s["status"] for s in fast["approvals"]["slots"]] == ["superseded", "granted", "rejected", "pending"]
    assert (fast["approvals"]["granted"], fast["approvals"]["rejected"], fast["approvals"]["pending"]) == (1, 1, 1)
    assert [e["summary"] for e in fast["test_evidence"]] == ["run 30", "run 10", "run 0"]
    assert [r["automatic"] for r in fast["rollbacks"]] == [False, True]
    assert fast["risk"]["override_by"] == manager.username and fast["owner"]["name"] == "Pia Peer"
    assert fast["planned_start"].endswith("-05:00") and fast["approvals"]["slots"][3]["due_at"].endswith("-05:00")


def test_a_bare_change_renders_as_the_declared_serializer(requester):
    change = ChangeRequest.objects.create(title="Bare", requester=requester, owner=None)
    fast = change_json(change.pk)
    assert_same(fast, ChangeDetailSerializer(change_detail(change.pk)).data)
    assert (fast["owner"], fast["team"], fast["services"], fast["rollbacks"]) == (None, None, [], [])


def test_the_detail_endpoint_and_an_edit_answer_the_declared_json(frozen, requester, peer, manager, auditor):
    change = full_change(requester, peer, manager)
    response = client_for(auditor).get(f"/api/changes/{change.pk}/")
    assert response.status_code == 200
    assert response.content.decode() == encoded(ChangeDetailSerializer(change_detail(change.pk)).data)
    bare = ChangeRequest.objects.create(title="Bare", requester=requester, owner=requester)
    response = patch_json(client_for(requester), f"/api/changes/{bare.pk}/", {"title": "Bare, edited"})
    assert response.status_code == 200, response.content
    saved = ChangeSavedSerializer(change_detail(bare.pk), context={"notices": response.json()["notices"]}).data
    assert response.content.decode() == encoded(saved)


def test_an_unfiltered_list_equals_the_list_through_the_filterset(requester, auditor):
    """Without a filter parameter the FilterSet is skipped; with an empty one it runs: same answer."""
    for i in range(3):
        ChangeRequest.objects.create(title=f"Change {i}", requester=requester, owner=requester)
    client = client_for(auditor)
    plain = client.get(LIST)
    assert plain.status_code == 200 and len(plain.json()["results"]) == 3
    assert client.get(LIST + "?sort=&q=").content == plain.content
    assert client.get(LIST + "?page=1").content == plain.content


def test_list_and_detail_query_counts_are_pinned_at_two_sizes(frozen, requester, peer, manager, auditor,
                                                             django_assert_num_queries):
    """The session with its user and roles, then the list's count and its page (services included), or
    the change with all its relations: 3 and 2 queries whether there are 2 changes or 60 with more in each."""
    client = client_for(auditor)
    change = full_change(requester, peer, manager)
    filtered = f"{LIST}?service={f.make_service('shared').pk}&sort=risk"
    for size in (2, 60):
        while ChangeRequest.objects.count() < size:
            extra = ChangeRequest.objects.create(title="More", requester=requester, owner=peer)
            extra.services.add(f.make_service(f"svc-{extra.pk}"), f.make_service("shared"))
        ApprovalSlot.objects.create(change=change, role="cab", ordinal=size, rule="r", policy="p")
        with django_assert_num_queries(3):
            assert client.get(LIST).status_code == 200
        with django_assert_num_queries(4):  # and the filter's service
            assert client.get(filtered).status_code == 200
        with django_assert_num_queries(2):
            assert client.get(f"/api/changes/{change.pk}/").status_code == 200
