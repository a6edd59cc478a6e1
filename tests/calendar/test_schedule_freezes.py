"""Freezes [POLICY §6]: recurring (end of month/quarter, public holidays) and announced ones; hard
allows emergencies only, soft needs a justification; announcing one holds the changes it catches."""
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt import events, policy, policy_services
from changemgmt.errors import GateRefused
from changemgmt.models import LedgerEntry
from changes import services
from changes.calendar import schedule
from changes.calendar import services as calendar_services
from changes.calendar.models import Freeze
from changes.choices import State
from tests.support import factories as f
from tests.support.calendar import ready_change

NY = f.NY


@pytest.fixture
def published():
    """Captures domain events published during the test: list of (topic, payload)."""
    seen = []
    handlers = {}
    for topic in ("freeze.caught_change",):
        handlers[topic] = lambda topic=topic, **payload: seen.append((topic, payload))
        events.subscribe(topic, handlers[topic])
    yield seen
    for topic, handler in handlers.items():
        events._subscribers[topic].remove(handler)


def codes(missing):
    return [m.code for m in missing]


def freeze_check(start, end, service_ids=(), justification="", change_type="normal"):
    return schedule.freeze_violations(change_type=change_type, start=start, end=end, service_ids=service_ids,
                                      justification=justification)


def test_end_of_month_is_a_soft_freeze_needing_a_justification(db):
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=NY)  # last day of November
    [missing] = freeze_check(monday, monday.replace(hour=8))
    assert missing.code == "soft_freeze_justification" and "End of month November 2026" in missing.message
    assert freeze_check(monday, monday.replace(hour=8), justification="Regulatory deadline on Dec 1") == []


def test_end_of_quarter_is_a_hard_freeze_emergency_only(db):
    tuesday = datetime(2026, 12, 29, 7, 0, tzinfo=NY)
    assert "hard_freeze" in codes(freeze_check(tuesday, tuesday.replace(hour=8), justification="please"))
    assert freeze_check(tuesday, tuesday.replace(hour=8), change_type="emergency") == []


def test_public_holidays_of_the_policy_country_are_hard_freezes(db):
    thanksgiving = datetime(2026, 11, 26, 7, 0, tzinfo=NY)
    [missing] = freeze_check(thanksgiving, thanksgiving.replace(hour=8))
    assert missing.code == "hard_freeze" and "Thanksgiving" in missing.message
    rules = policy.get("freeze_rules")
    policy_services.update_setting(key="freeze_rules", value={**rules, "public_holidays": {
        **rules["public_holidays"], "country": "GB"}}, actor=None)
    assert freeze_check(thanksgiving, thanksgiving.replace(hour=8)) == []
    boxing_day = datetime(2026, 12, 28, 7, 0, tzinfo=NY)  # substitute Boxing Day holiday in England
    assert any("Boxing Day" in m.message for m in freeze_check(boxing_day, boxing_day.replace(hour=8)))


def test_disabling_a_recurring_rule_lifts_it(db):
    rules = policy.get("freeze_rules")
    policy_services.update_setting(key="freeze_rules", value={**rules, "end_of_month": {**rules["end_of_month"],
                                                                                "enabled": False}}, actor=None)
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=NY)
    assert freeze_check(monday, monday.replace(hour=8)) == []


def test_an_announced_freeze_covers_only_its_services(db):
    payments, search = f.make_service("payments-api"), f.make_service("search")
    freeze = Freeze.objects.create(name="Black Friday", reason="Peak traffic", kind="hard",
                                   starts_at=datetime(2026, 12, 1, 0, 0, tzinfo=NY),
                                   ends_at=datetime(2026, 12, 2, 0, 0, tzinfo=NY))
    freeze.services.set([payments])
    start = datetime(2026, 12, 1, 7, 0, tzinfo=NY)
    assert codes(freeze_check(start, start.replace(hour=8), [payments.pk])) == ["hard_freeze"]
    assert freeze_check(start, start.replace(hour=8), [search.pk]) == []


def test_submission_names_every_schedule_violation(frozen, requester):
    """A high-risk-style plan on Thanksgiving morning, 3 days out: lead time, freeze, all named."""
    change = services.create_change(actor=requester, data=f.complete_fields(
        planned_start=datetime(2026, 11, 26, 5, 0, tzinfo=NY).isoformat(),
        planned_end=datetime(2026, 11, 26, 7, 0, tzinfo=NY).isoformat()))
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert {"outside_window", "hard_freeze"} <= set(codes(refusal.value.missing))


def test_deploy_gate_checks_the_actual_time_against_freezes(frozen, requester, peer, peer2, cab_chair):
    change = ready_change(requester, peer, peer2)
    Freeze.objects.create(name="Incident freeze", reason="Major incident", kind="hard",
                          starts_at=datetime(2026, 12, 1, 6, 0, tzinfo=NY),
                          ends_at=datetime(2026, 12, 1, 9, 0, tzinfo=NY))
    frozen.move_to(f.DEPLOY_TIME)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="deploy", actor=requester, data=_deploy_input())
    assert "hard_freeze" in codes(refusal.value.missing)


def _deploy_input():
    return {"predeploy_checklist": ["approvals_obtained", "testing_documented", "rollback_verified",
                                    "dashboards_ready", "stakeholders_told", "oncall_told", "backup_verified"],
            "deployment_method": "canary"}


def _freeze_input(**overrides):
    data = {"name": "Payments freeze", "reason": "Card network migration", "kind": "hard",
            "starts_at": datetime(2026, 12, 1, 0, 0, tzinfo=NY).isoformat(),
            "ends_at": datetime(2026, 12, 2, 0, 0, tzinfo=NY).isoformat(), "services": []}
    data.update(overrides)
    return data


def test_preview_lists_the_changes_a_freeze_would_catch_without_saving(frozen, requester, cab_chair):
    caught = services.create_change(actor=requester, data=f.complete_fields())
    services.create_change(actor=requester, data=f.complete_fields(
        title="Emergency fix", change_type="emergency", emergency_criterion="production_down"))
    services.create_change(actor=requester, data=f.complete_fields(
        title="Other service", services=[f.make_service("search").pk]))
    preview = calendar_services.preview_freeze(actor=cab_chair, data=_freeze_input(
        services=[f.make_service().pk]))
    assert [c.pk for c in preview.caught] == [caught.pk]
    assert not Freeze.objects.exists()


def test_announcing_a_freeze_holds_ready_changes_and_tells_owners(frozen, requester, peer, peer2, cab_chair,
                                                                   published):
    ready = ready_change(requester, peer, peer2)
    draft = services.create_change(actor=requester, data=f.complete_fields(title="Still a draft"))
    preview = calendar_services.announce_freeze(actor=cab_chair, data=_freeze_input())
    assert f.reload(ready).state == State.TESTING
    assert f.reload(draft).state == State.DRAFT
    assert sorted((p["change_id"], p["owner_id"], p["held"]) for _t, p in published) == sorted(
        [(ready.pk, requester.pk, True), (draft.pk, requester.pk, False)])
    entry = LedgerEntry.objects.get(action="calendar.freeze_announced")
    assert entry.payload["caught"] == [c.reference for c in preview.caught]
    assert LedgerEntry.objects.filter(action="change.hold", subject=f"changes.changerequest:{ready.pk}").exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"reason": "  "}, "reason"),
    ({"ends_at": datetime(2026, 11, 30, 0, 0, tzinfo=NY).isoformat()}, "ends_at"),
    ({"services": [999999]}, "services"),
    ({"kind": "icy"}, "kind"),
])
def test_bad_freezes_are_refused_by_field(cab_chair, overrides, field):
    with pytest.raises(ValidationError) as refusal:
        calendar_services.announce_freeze(actor=cab_chair, data=_freeze_input(**overrides))
    assert field in refusal.value.message_dict
    assert not Freeze.objects.exists()


def test_requesters_and_auditors_cannot_announce_freezes(requester, auditor):
    for user in (requester, auditor):
        with pytest.raises(PermissionDenied):
            calendar_services.announce_freeze(actor=user, data=_freeze_input())
