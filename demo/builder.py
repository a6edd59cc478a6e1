"""Carrying each planned change to its state, one step at a time, through the services
(changes.services, approvals.services, the CAB's meetings and voting), so every gate, permission and
ledger entry is real. Each step runs at its own moment under time_machine, and all steps of all changes
run in time order, so the ledger reads chronologically."""
from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from approvals import services as approval_services
from approvals.choices import DecisionChannel, SlotRole, SlotStatus
from approvals.models import ApprovalSlot
from approvals.rules import decision_refusals
from cab.models import BoardMember
from cab.services import meetings as cab_meetings
from cab.services import voting as cab_voting
from changemgmt import policy
from changemgmt.models import User
from changes import services
from changes.choices import State
from changes.gates import required_tests
from changes.models import ChangeRequest, StandardTemplate
from demo.data import LOW_SCORES, PAST_STATES, RISKS
from demo.plans import Plan, change_fields, codes


def _decider(slot: ApprovalSlot, people: list[User]) -> User:
    siblings = list(ApprovalSlot.objects.filter(change_id=slot.change_id).exclude(status=SlotStatus.SUPERSEDED)
                    .select_related("decided_by", "change"))
    for person in people:
        if not decision_refusals(person, slot, siblings=siblings):
            return person
    raise LookupError(f"No demo user may decide {slot.role} on change {slot.change_id}")


def _pending_slots(change_id):
    return list(ApprovalSlot.objects.filter(change_id=change_id, status=SlotStatus.PENDING)
                .select_related("change").order_by("id"))


class Builder:
    """Turns plans into steps and runs every step of every plan in time order."""

    def __init__(self, people: list[User], now: datetime):
        self.people = people
        self.by_name = {user.username: user for user in people}
        self.now = now

    def run(self, plans: list[Plan]) -> None:
        steps = [(at, plan.number, index, action) for plan in plans
                 for index, (at, action) in enumerate(plan.steps)]
        for at, _number, _index, action in sorted(steps, key=lambda step: step[:3]):
            with time_machine.travel(at, tick=False):
                action()

    def plan_steps(self, plan: Plan) -> None:
        """Schedule the steps that carry `plan` to its state. Past changes were filed nine days before
        their slot; future ones over the last few days."""
        author = plan.author
        slot = plan.slot_start
        if plan.state in PAST_STATES:
            base = slot - timedelta(days=9)
        else:
            base = self.now - timedelta(days=4) + timedelta(minutes=plan.number * 7)

        def at(hours: float) -> datetime:
            return base + timedelta(hours=hours)

        add = plan.steps.append
        if plan.template is not None:
            add((at(0), lambda: self._create_standard(plan)))
        else:
            add((at(0), lambda: self._create(plan)))
        if plan.state == State.DRAFT:
            return
        if plan.state == State.CANCELLED and plan.number % 2:
            add((at(2), lambda: self._move(plan, "cancel", author, {"reason": "Superseded by a vendor fix."})))
            return
        add((at(24), lambda: self._move(plan, "submit", author)))
        if plan.state == State.ASSESSMENT:
            return
        if plan.state == State.CANCELLED:
            add((at(26), lambda: self._move(plan, "cancel", author, {"reason": "Business no longer needs it."})))
            return
        if plan.template is None:
            add((at(25), lambda: self._score(plan)))
        add((at(26), lambda: self._move(plan, "assess", author)))
        if plan.state == State.REJECTED:
            add((at(30), lambda: self._decide_all(plan, reject=True)))
            return
        if plan.state == State.APPROVAL:
            add((at(30), lambda: self._decide_all(plan, limit=plan.number % 2)))
            return
        add((at(30), lambda: self._decide_all(plan)))
        if plan.state == State.TESTING:
            return
        add((at(48), lambda: self._test(plan)))
        if plan.state == State.READY:
            return
        deployed = slot + timedelta(minutes=15)
        add((deployed, lambda: self._deploy(plan)))
        if plan.state == State.DEPLOYED:
            return
        if plan.state == State.ROLLED_BACK or (plan.state == State.CLOSED and plan.number % 6 == 0):
            add((deployed + timedelta(minutes=30), lambda: self._roll_back(plan)))
            if plan.state == State.CLOSED:
                add((deployed + timedelta(days=1), lambda: self._close(plan, "rolled_back")))
            return
        minutes = policy.get("monitoring_minutes")[plan.risk] + 5
        verified = deployed + timedelta(minutes=minutes)
        add((verified, lambda: self._verify(plan)))
        if plan.state == State.VERIFIED:
            return
        add((verified + timedelta(hours=2), lambda: self._close(plan, "successful")))

    # The steps: each is one or a few service calls, as a person would make them.
    def _create(self, plan: Plan) -> None:
        plan.change_id = services.create_change(actor=plan.author, data=change_fields(plan)).pk

    def _create_standard(self, plan: Plan) -> None:
        data = {key: value for key, value in change_fields(plan).items()
                if key not in StandardTemplate.CONTROLLED_FIELDS and key != "change_type"}
        plan.change_id = services.create_from_template(actor=plan.author, template_id=plan.template.pk,
                                                       data=data).pk

    def _move(self, plan: Plan, name: str, actor: User, data: dict | None = None) -> None:
        services.run_transition(change_id=plan.change_id, name=name, actor=actor, data=data or {})

    def _score(self, plan: Plan) -> None:
        if plan.raised:
            # A reviewer raises the level, with the written justification policy asks for.
            services.score_risk(change_id=plan.change_id, actor=self.by_name["sam"], data={
                **LOW_SCORES, "override": plan.risk,
                "override_reason": "Touches a payment path during the month-end close."})
            return
        services.score_risk(change_id=plan.change_id, actor=plan.author, data=dict(RISKS[plan.risk]))

    def _decide_all(self, plan: Plan, *, limit: int | None = None, reject: bool = False) -> None:
        for index, slot in enumerate(_pending_slots(plan.change_id)):
            if limit is not None and index >= limit:
                return
            if slot.role == SlotRole.CAB:
                self._board_decides(slot, reject=reject)
                if reject:
                    return
                continue
            decider = _decider(slot, self.people)
            if reject:
                approval_services.decide(slot_id=slot.pk, actor=decider, verdict="reject",
                                         reason="Not in this window: the on-call team is short-staffed.",
                                         channel=DecisionChannel.PAGE)
                return
            approval_services.decide(slot_id=slot.pk, actor=decider, verdict="grant", reason="Looks good.",
                                     channel=DecisionChannel.PAGE)  # the demo's people decide on the change page

    def _board_decides(self, slot: ApprovalSlot, *, reject: bool) -> None:
        """The CAB slot is the board's [POLICY §5]: the chair convenes a CAB with the whole board
        present, and records its decision on the change's agenda item."""
        chair = self.by_name["carol"]
        meeting = cab_meetings.convene_emergency(actor=chair, change_id=slot.change_id,
                                                 reason=f"The board decides {slot.change.reference}.")
        cab_meetings.start_meeting(meeting_id=meeting.pk, actor=chair)
        cab_meetings.record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=list(
            BoardMember.objects.filter(active=True).values_list("user_id", flat=True)))
        item = meeting.items.get(slot=slot)
        cab_voting.record_decision(item_id=item.pk, actor=chair, outcome="reject" if reject else "approve",
                                   reason="Not in this window: the on-call team is short-staffed." if reject else "")
        cab_meetings.end_meeting(meeting_id=meeting.pk, actor=chair)

    def _test(self, plan: Plan) -> None:
        change = ChangeRequest.objects.get(pk=plan.change_id)
        for test_type in required_tests(change):
            services.record_test_evidence(change_id=plan.change_id, actor=plan.author, data={
                "test_type": test_type, "result": "passed", "summary": f"{test_type} suite green in CI.",
                "evidence_url": f"https://ci.example.com/runs/{plan.number}/{test_type}"})
        self._move(plan, "test", plan.author)

    def _deploy(self, plan: Plan) -> None:
        self._move(plan, "deploy", self.by_name["oscar"], {
            "predeploy_checklist": codes("predeploy_checklist"),
            "deployment_method": codes("deployment_methods")[plan.number % 4]})

    def _verify(self, plan: Plan) -> None:
        self._move(plan, "verify", self.by_name["oscar"], {"verification_checks": codes("verification_checks")})

    def _roll_back(self, plan: Plan) -> None:
        now = timezone.now()
        self._move(plan, "roll_back", self.by_name["oscar"], {
            "severity": "high", "trigger": codes("rollback_triggers")[1], "kind": "application",
            "decided_at": now - timedelta(minutes=10), "completed_at": now,
            "reason": "Error rate rose from 0.2 % to 4 % on the canary.",
            "steps_executed": "Shifted traffic back to the previous release; drained the canary pods.",
            "impact": "About 3 % of requests failed for 12 minutes.",
            "root_cause": "A connection-pool setting was too small for peak load.",
            "preventive_measures": "Load test the pool settings in staging before release."})

    def _close(self, plan: Plan, outcome: str) -> None:
        answers = {code: True for code in codes("review_items")}
        self._move(plan, "close", plan.author, {
            "outcome": outcome, "review_answers": answers,
            "lessons_learned": "The canary stage caught problems early; keep it for this service."})
