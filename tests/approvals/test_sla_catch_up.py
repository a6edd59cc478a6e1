"""Catch-up mail after an outage is not spam: a sweep that runs late sends the latest reminder and
the latest escalation only (the earlier steps are recorded, with no recipients, as superseded), and
one message per person per change names every slot it concerns [POLICY §3]."""
from datetime import datetime
from zoneinfo import ZoneInfo

from approvals.models import SlaStep
from approvals.services import sla
from changemgmt.models import Notification
from changes import services
from tests.support import factories as f

NY = ZoneInfo("America/New_York")


def change_in_approval(requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    return services.run_transition(change_id=change.pk, name="assess", actor=requester)


def sla_mail(user):
    return list(Notification.objects.filter(user=user, kind__startswith="sla_").order_by("id"))


def test_after_an_outage_only_the_latest_steps_go_out_one_mail_per_person(frozen, requester, peer, peer2, manager,
                                                                        cab_chair):
    peer.manager = manager
    peer.save()
    change = change_in_approval(requester)  # two peer slots
    frozen.move_to(datetime(2026, 11, 30, 9, tzinfo=NY))  # the worker was down past 200 % of the SLA
    assert sla.sweep() == 8  # every step of both slots is recorded once
    [reminder] = sla_mail(peer)  # not 50 % and 100 % in the same second, not one per slot
    assert reminder.kind == "sla_reminder" and change.reference in reminder.title
    assert "2 × peer review approvals" in reminder.title and "overdue" in reminder.title
    assert reminder.body.count("required because") == 2  # names both slots
    [escalation] = sla_mail(cab_chair)
    assert escalation.kind == "sla_escalation"
    assert sla_mail(manager) == []  # superseded by the later escalation to the CAB chair
    superseded = SlaStep.objects.filter(step__in=["remind_50", "escalate_manager"])
    assert superseded.count() == 4 and all(step.recipients == [] for step in superseded)
    assert sla.sweep() == 0


def test_on_time_the_breach_reminder_and_the_managers_escalation_both_go_out(frozen, requester, peer, peer2,
                                                                             manager):
    peer.manager = manager
    peer.save()
    change_in_approval(requester)
    frozen.move_to(datetime(2026, 11, 24, 0, 1, tzinfo=NY))
    sla.sweep()  # 50 %
    frozen.move_to(datetime(2026, 11, 24, 12, 1, tzinfo=NY))
    sla.sweep()  # 100 %: the reminder to the approvers and the escalation to their manager
    assert [n.kind for n in sla_mail(peer)] == ["sla_reminder", "sla_reminder"]
    assert [n.kind for n in sla_mail(manager)] == ["sla_escalation"]
