"""The repeated poll's fast path: while nothing the answer was made from has moved, a poll of the same run
gets the stored decision in a fixed number of queries without evaluating; when any input moves (the
change, its approvals, evidence, services, artefacts, the freezes, windows or the policy revision) the
gate evaluates again; an answer the clock can move (a ready change) is evaluated on every poll."""
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from approvals.models import ApprovalSlot
from changemgmt.models import LedgerEntry, PolicyRevision
from changes.calendar.models import ConfigurationItem, DeploymentWindow, Freeze
from changes.models import ChangeRequest
from changes.models import TestEvidence as Evidence
from changes.pipeline import evaluation
from changes.pipeline.models import ArtefactAllowance, GateDecision
from tests.pipeline.helpers import OTHER_DIGEST
from tests.support import factories as f
from tests.support import lifecycle as life

# The token and its user, the token's scope with the service, the stamped decision of the change named.
REPEATED_POLL_QUERIES = 3


@pytest.fixture
def evaluations(monkeypatch):
    """How many times the gate evaluated an answer."""
    calls = []
    real = evaluation.evaluate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluation, "evaluate", counting)
    return calls


def _edit_change(change, requester):
    ChangeRequest.objects.filter(pk=change.pk).update(planned_end=F("planned_end") + timedelta(minutes=5))


def _save_change(change, requester):
    change = f.reload(change)
    change.description += " More detail."
    change.save()  # only updated_at moves among the stamped fields


def _grant_a_slot(change, requester):
    slot = ApprovalSlot.objects.filter(change=change, status="pending").order_by("id").first()
    ApprovalSlot.objects.filter(pk=slot.pk).update(status="granted", decided_by=requester, decided_at=timezone.now())


def _record_evidence(change, requester):
    Evidence.objects.create(change=change, test_type="unit", result="passed", summary="green",
                                recorded_by=requester)


def _add_a_service(change, requester):
    change.services.add(f.make_service("ledger-api"))


def _add_an_item(change, requester):
    service = change.services.first()
    change.configuration_items.add(ConfigurationItem.objects.create(service=service, name="primary db"))


def _allow_several(change, requester):
    ArtefactAllowance.objects.create(change=change, allowed_by=requester, reason="Two images.",
                                     allowed_at=change.updated_at)


def _announce_freeze(change, requester):
    Freeze.objects.create(name="Year end", reason="Closing.", starts_at=change.planned_start,
                          ends_at=change.planned_end)


def _edit_window(change, requester):
    window = DeploymentWindow.objects.first() or DeploymentWindow(weekday=0, starts="09:00", ends="10:00",
                                                                   risks=["low"])
    window.save()


def _edit_policy(change, requester):
    PolicyRevision.objects.get_or_create(pk=1)
    PolicyRevision.objects.filter(pk=1).update(number=F("number") + 1)


MOVES = {"the plan": _edit_change, "the change saved": _save_change, "an approval": _grant_a_slot,
         "test evidence": _record_evidence, "a service": _add_a_service, "a configuration item": _add_an_item,
         "an allowance": _allow_several, "a freeze": _announce_freeze, "a window": _edit_window,
         "the policy revision": _edit_policy}


def test_a_repeated_poll_makes_a_fixed_number_of_queries_and_does_not_evaluate(
        frozen, requester, pipeline, evaluations, django_assert_num_queries):
    change = life.in_approval(requester)
    first = pipeline.ask(change).json()
    assert first["decision"] == "wait" and len(evaluations) == 1
    for _ in range(2):
        with django_assert_num_queries(REPEATED_POLL_QUERIES):
            answer = pipeline.ask(change)
        assert answer.status_code == 200 and answer.json() == first and answer["Retry-After"] == str(
            first["retry_after"])
    assert len(evaluations) == 1
    assert GateDecision.objects.count() == 1
    assert LedgerEntry.objects.filter(action__startswith="pipeline.gate_").count() == 1


@pytest.mark.parametrize("move", sorted(MOVES))
def test_the_poll_evaluates_again_when_an_input_moves(move, frozen, requester, pipeline, evaluations):
    change = life.in_approval(requester)
    pipeline.ask(change)
    pipeline.ask(change)
    assert len(evaluations) == 1
    frozen.shift(timedelta(seconds=5))
    MOVES[move](change, requester)
    answer = pipeline.ask(change)
    assert answer.status_code == 200 and len(evaluations) == 2, move
    pipeline.ask(change)  # the decision answered was stamped again: the next poll is fast
    assert len(evaluations) == 2


def test_the_clock_alone_does_not_end_the_fast_path_before_the_deploy_gate(frozen, requester, pipeline,
                                                                          evaluations):
    change = life.in_approval(requester)
    pipeline.ask(change)
    frozen.shift(timedelta(hours=3))
    pipeline.ask(change)
    assert len(evaluations) == 1


def test_an_approval_that_changes_the_answer_gives_a_new_decision_and_entry(frozen, requester, pipeline):
    change = life.in_approval(requester)
    first = pipeline.ask(change).json()
    _grant_a_slot(change, requester)
    second = pipeline.ask(change).json()
    assert second["decision_id"] != first["decision_id"]
    assert {item["code"] for item in second["missing"]} < {item["code"] for item in first["missing"]}
    assert LedgerEntry.objects.filter(action__startswith="pipeline.gate_").count() == 2
    assert GateDecision.objects.exclude(stamp="").count() == 1  # only the answer given now is stamped


def test_another_digest_or_service_of_the_same_run_is_evaluated(frozen, requester, pipeline, evaluations):
    change = life.in_approval(requester)
    pipeline.ask(change)
    pipeline.ask(change, artefact_digest=OTHER_DIGEST)
    assert len(evaluations) == 2


def test_a_ready_change_is_evaluated_on_every_poll_as_the_clock_moves_it(frozen, requester, peer, peer2,
                                                                        pipeline, evaluations):
    change = life.ready(requester, [peer, peer2])
    assert pipeline.ask(change).json()["decision"] == "wait"
    frozen.move_to(f.DEPLOY_TIME)
    assert pipeline.ask(change).json()["decision"] == "allow"
    assert len(evaluations) == 2
    assert not GateDecision.objects.exclude(stamp="").exists()


def test_an_unknown_change_is_refused_on_its_field(frozen, requester, pipeline):
    change = life.in_approval(requester)
    pipeline.ask(change)
    change.pk += 1000
    answer = pipeline.ask(change)
    assert answer.status_code == 400 and answer.json()["decision"] == "deny" and "change" in answer.json()


def test_a_change_that_can_no_longer_deploy_is_refused_not_answered_from_the_stamp(frozen, requester, pipeline):
    change = life.in_approval(requester)
    pipeline.ask(change)
    ChangeRequest.objects.filter(pk=change.pk).update(state="cancelled")
    answer = pipeline.ask(change)
    assert answer.status_code == 409 and answer.json()["decision"] == "deny"
