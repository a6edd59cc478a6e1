"""Moves a change along the belt through the real services, for tests that start mid-way."""
from approvals.services import decide
from changes import services
from tests.support import factories as f

ALL_CHECKLIST = ["approvals_obtained", "testing_documented", "rollback_verified", "dashboards_ready",
                 "stakeholders_told", "oncall_told", "backup_verified"]
ALL_CHECKS = ["health_checks", "error_rates", "response_times", "business_flows", "monitoring_alerts"]
ALL_REVIEW = {"objectives_achieved": True, "no_unexpected_impact": True, "performance_acceptable": True,
              "security_maintained": True, "documentation_complete": True}


def filed(requester, **overrides):
    return services.create_change(actor=requester, data=f.complete_fields(**overrides))


def submitted(requester, **overrides):
    change = filed(requester, **overrides)
    return services.run_transition(change_id=change.pk, name="submit", actor=requester)


def in_approval(requester, scores=f.LOW_RISK, **overrides):
    change = submitted(requester, **overrides)
    services.score_risk(change_id=change.pk, actor=requester, data=scores)
    return services.run_transition(change_id=change.pk, name="assess", actor=requester)


def grant_all(change, approvers):
    """Grant every pending slot, each with the first approver who may take it; the CAB slot is the
    board's, decided by a quorate emergency CAB (`board_decides`)."""
    from approvals.rules import may_decide

    for slot in change.approval_slots.filter(status="pending").order_by("id"):
        if slot.role == "cab":
            board_decides(slot)
            continue
        siblings = list(change.approval_slots.exclude(status="superseded").select_related("decided_by"))
        slot = next(s for s in siblings if s.pk == slot.pk)
        approver = next(a for a in approvers if may_decide(a, slot, siblings=siblings))
        decide(slot_id=slot.pk, actor=approver, verdict="grant")
    return f.reload(change)


def board_decides(slot, outcome="approve", reason=""):
    """The board decides a CAB slot: an emergency CAB with every active member present (a board of six
    is seated first when none has a chair), the chair records the decision."""
    from cab.choices import Seat
    from cab.models import BoardMember
    from cab.services import meetings, voting
    from changemgmt.models import User
    from changemgmt.roles import Role

    if not BoardMember.objects.filter(seat=Seat.CHAIR, active=True).exists():
        for code in Seat.values:
            roles = (Role.CAB_CHAIR, Role.CAB_MEMBER) if code == Seat.CHAIR else (Role.CAB_MEMBER,)
            user = User.objects.filter(username=f"board-{code}").first() or f.make_user(f"board-{code}", *roles,
                                                                                         team="Board")
            BoardMember.objects.create(user=user, seat=code)
    chair = BoardMember.objects.filter(seat=Seat.CHAIR, active=True).order_by("deputy", "id").first().user
    meeting = meetings.convene_emergency(actor=chair, change_id=slot.change_id, reason="The board decides.")
    meetings.start_meeting(meeting_id=meeting.pk, actor=chair)
    meetings.record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=list(
        BoardMember.objects.filter(active=True).values_list("user_id", flat=True)))
    item = meeting.items.get(slot=slot)
    voting.record_decision(item_id=item.pk, actor=chair, outcome=outcome, reason=reason or "Board decision.")
    meetings.end_meeting(meeting_id=meeting.pk, actor=chair)


def in_testing(requester, approvers, **kwargs):
    return grant_all(in_approval(requester, **kwargs), approvers)


def ready(requester, approvers, **kwargs):
    change = in_testing(requester, approvers, **kwargs)
    for test_type in ["unit", "integration", "staging", "uat", "performance"]:
        services.record_test_evidence(change_id=change.pk, actor=requester,
                                      data={"test_type": test_type, "result": "passed", "summary": "all green"})
    return services.run_transition(change_id=change.pk, name="test", actor=requester)


def deployed(requester, approvers, frozen, **kwargs):
    change = ready(requester, approvers, **kwargs)
    frozen.move_to(f.DEPLOY_TIME)
    return services.run_transition(change_id=change.pk, name="deploy", actor=requester, data={
        "predeploy_checklist": ALL_CHECKLIST, "deployment_method": "canary"})
