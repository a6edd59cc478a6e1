"""Approval SLAs: due times by risk in business days, reminders at 50 %/100 %, escalation to the
approvers' managers at the breach and to the CAB chair one SLA later — each sent exactly once, and
caught up after a worker outage [POLICY §3]."""
import threading
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from approvals.models import ApprovalSlot, SlaStep
from approvals.services import decide, sla
from changemgmt import policy
from changemgmt.models import Notification
from tests.support import factories as f
from tests.support.approvals import change_in_approval, ny


def kinds_for(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


@pytest.mark.parametrize(("risk", "due"), [
    (f.LOW_RISK, ny(2026, 11, 24, 12)),
    (f.MEDIUM_RISK, ny(2026, 11, 25, 12)),
    (f.HIGH_RISK, ny(2026, 11, 27, 12)),  # 3 business days skip Thanksgiving
])
def test_slots_get_a_due_time_by_risk_in_business_days(frozen, requester, risk, due):
    change = change_in_approval(requester, risk)
    slots = list(change.approval_slots.all())
    assert slots and all(slot.due_at == due for slot in slots)
    assert all(slot.next_step == "remind_50" for slot in slots)


def test_approvers_are_told_when_their_approval_is_requested(frozen, requester, peer, peer2, teammate):
    change_in_approval(requester)
    assert kinds_for(peer) == ["approval_requested", "approval_requested"]  # two peer slots
    assert kinds_for(requester) == []  # the author is never asked


def test_reminder_at_half_the_sla_is_sent_once_however_often_the_sweep_runs(frozen, requester, peer, peer2):
    change_in_approval(requester)
    frozen.move_to(ny(2026, 11, 23, 23, 59))
    assert sla.sweep() == 0
    frozen.move_to(ny(2026, 11, 24, 0, 1))
    assert sla.sweep() == 2  # one per slot
    assert sla.sweep() == 0
    assert sla.sweep() == 0
    assert kinds_for(peer).count("sla_reminder") == 1  # one message names both slots of the change
    assert SlaStep.objects.filter(step="remind_50").count() == 2


def test_breach_escalates_to_the_approvers_managers_then_the_cab_chair(frozen, requester, peer, peer2, manager,
                                                                      cab_chair):
    peer.manager = manager
    peer.save()
    change_in_approval(requester)
    frozen.move_to(ny(2026, 11, 24, 12, 1))  # past the 1-business-day SLA
    sla.sweep()
    assert kinds_for(manager) == ["sla_escalation"]  # one message for both slots of the change
    assert kinds_for(cab_chair) == []
    frozen.move_to(ny(2026, 11, 25, 12, 1))  # one further SLA period
    sla.sweep()
    assert kinds_for(cab_chair) == ["sla_escalation"]
    title = Notification.objects.filter(user=cab_chair).first().title
    assert "overdue by 1 day" in title


def test_missed_steps_are_all_sent_when_the_worker_returns(frozen, requester, peer, peer2, manager, cab_chair):
    peer.manager = manager
    peer.save()
    change = change_in_approval(requester)
    frozen.move_to(ny(2026, 11, 30, 9))  # the worker was down for a week
    assert sla.sweep() == 8  # 4 steps × 2 slots
    steps = set(SlaStep.objects.values_list("step", flat=True))
    assert steps == {"remind_50", "remind_100", "escalate_manager", "escalate_cab_chair"}
    assert sla.sweep() == 0
    assert all(slot.next_step_at is None for slot in change.approval_slots.all())


def test_decided_slots_get_no_reminders(frozen, requester, peer, peer2):
    change = change_in_approval(requester)
    for slot, who in zip(change.approval_slots.order_by("id"), [peer, peer2], strict=True):
        decide(slot_id=slot.pk, actor=who, verdict="grant")
    frozen.move_to(ny(2026, 11, 30, 9))
    assert sla.sweep() == 0


def test_a_sweep_that_dies_mid_batch_sends_nothing_and_the_next_one_sends_all(frozen, requester, peer, peer2):
    change_in_approval(requester)
    frozen.move_to(ny(2026, 11, 24, 0, 1))
    with mock.patch("approvals.services.sla.notify_many", side_effect=RuntimeError("worker killed")):
        with pytest.raises(RuntimeError):
            sla.sweep()
    assert not SlaStep.objects.exists()
    assert sla.sweep() == 2
    assert kinds_for(peer).count("sla_reminder") == 1


def test_the_database_refuses_a_second_record_of_the_same_step(frozen, requester, peer):
    change = change_in_approval(requester)
    slot = change.approval_slots.first()
    SlaStep.objects.create(slot=slot, step="remind_50", scheduled_at=f.NOW, sent_at=f.NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaStep.objects.create(slot=slot, step="remind_50", scheduled_at=f.NOW, sent_at=f.NOW)


def _open_slots(change, count, *, start):
    ApprovalSlot.objects.bulk_create([
        ApprovalSlot(change=change, role="peer", ordinal=100 + start + i, rule="load", policy="test",
                     due_at=ny(2026, 12, 31), next_step="remind_50", next_step_at=ny(2026, 12, 30))
        for i in range(count)
    ])


def test_sweep_query_count_does_not_grow_with_open_or_due_slots(frozen, requester, peer, peer2):
    change = change_in_approval(requester)
    frozen.move_to(ny(2026, 11, 24, 0, 1))
    policy.all_values()  # the policy cache expired when time moved; the sweep would load it once
    with CaptureQueriesContext(connection) as small:
        assert sla.sweep() == 2
    change.approval_slots.filter(ordinal__lte=2).update(next_step_at=ny(2026, 11, 24, 0))
    SlaStep.objects.all().delete()
    _open_slots(change, 300, start=0)
    change2 = change_in_approval(requester, title="Second change")
    change2.approval_slots.update(next_step_at=ny(2026, 11, 24, 0), created_at=f.NOW, due_at=ny(2026, 11, 24, 12))
    with CaptureQueriesContext(connection) as large:
        assert sla.sweep() == 4  # twice the due slots, 300 more open ones
    assert len(large) == len(small)


def test_the_sweep_runs_every_minute_from_beat(db):
    task = PeriodicTask.objects.get(task="approvals.sla_sweep")
    assert (task.interval.every, task.interval.period) == (1, "minutes")


def test_reminder_email_says_what_by_when_and_links_to_the_change(frozen, requester, peer, peer2, mailoutbox,
                                                                  django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://change.example.com"
    change = change_in_approval(requester)
    mailoutbox.clear()
    frozen.move_to(ny(2026, 11, 24, 0, 1))
    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep()
    # (The mail task also sends the approval requests the set-up left unmailed: keep the reminders.)
    to_bob = [m for m in mailoutbox if m.to == ["bob@example.com"] and "Reminder:" in m.body]
    assert len(to_bob) == 1  # both peer slots in one mail
    assert change.reference in to_bob[0].subject
    assert "Tue 24 Nov 2026, 12:00 EST" in to_bob[0].body
    assert "due in 11 business hours" in to_bob[0].body
    assert f"https://change.example.com/changes/{change.pk}/" in to_bob[0].body


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_step_once(requester, peer, peer2):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    import time_machine

    with time_machine.travel(f.NOW, tick=False) as traveller:
        for n in range(5):
            change_in_approval(requester, title=f"Change {n}")
        traveller.move_to(ny(2026, 11, 30, 9))
        barrier = threading.Barrier(2)
        results = []

        def run():
            barrier.wait()
            try:
                results.append(sla.sweep())
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(results) == 40  # 5 changes × 2 slots × 4 steps, split between the two sweeps
    assert SlaStep.objects.count() == 40
    # After the outage each change gets its latest reminder only, one message for both its slots.
    assert Notification.objects.filter(kind="sla_reminder", user=peer).count() == 5


def test_the_slots_created_together_share_their_start_so_their_reminders_fall_due_together(db, requester):
    """With a clock that moves, the slots one assessment creates still share the instant their SLA steps
    are planned from: a sweep between two slots' reminder times would otherwise tell a person twice."""
    import time_machine

    with time_machine.travel(ny(2026, 11, 23, 9), tick=True):
        change = change_in_approval(requester)
    slots = list(change.approval_slots.all())
    assert len(slots) >= 2
    assert len({slot.created_at for slot in slots}) == 1 and len({slot.next_step_at for slot in slots}) == 1
