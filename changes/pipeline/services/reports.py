"""Deployment reports (issue 10 §3, §4): a pipeline reports each stage of a rollout with its health.

`report_deployment` checks the input, finds the change whose gate allowed this artefact for this service
and environment, and in one transaction (the change row locked) records the stage with its answer:
continue (healthy), hold (a warning: do not advance, report the stage again) or roll_back (critical: the
change is rolled back through the roll-back transition with an automatic rollback record and the owner is
told). The first report deploys the change through the deploy transition (method canary, the checklist
attested by the pipeline token), so the deploy gate still holds. Each report appends one
`pipeline.deployment_report` ledger entry (the transitions it causes append their own).

Refusals write nothing, with one exception: an artefact that no change allowed for that service and
environment is the detection of an unauthorized change. Its record, ledger entry and the message to
security ARE written, and the pipeline is answered 409 `unauthorized` (`Unauthorized` below).
"""
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from changemgmt import ledger, policy
from changemgmt.errors import GateRefused, Missing
from changemgmt.models import NotificationKind
from changemgmt.notifications.services import Message, notify_many
from changemgmt.refusals import logged_refusals
from changemgmt.roles import Role
from changes import services as change_services
from changes.choices import State
from changes.models import ChangeRequest, Service
from changes.pipeline import health, rules, selectors
from changes.pipeline.choices import Action, Decision
from changes.pipeline.models import DeployEnvironment, DeploymentReport, GateDecision, UnauthorizedDeployment
from changes.pipeline.services import FIELD_RULES, _actor, _named

REF_REPORTS = "POLICY §10 deployment reports"
TEXT_FIELDS = ("change", "service", "environment", "artefact_digest", "pipeline_id", "run_id")
NUMBER_FIELDS = ("stage", "error_rate_percent", "p95_latency_ms", "alert_count")
FIELDS = TEXT_FIELDS + NUMBER_FIELDS
PIPELINE_METHOD = "canary"  # a rollout by percentages of traffic is a canary deployment


class Unauthorized(Exception):
    """The report named an artefact no change allowed: the detection record is written (and kept)."""

    def __init__(self, record: UnauthorizedDeployment):
        self.record = record
        super().__init__(f"No change allows {record.artefact_digest} for {record.service} in {record.environment}.")


@dataclass(frozen=True)
class Answer:
    report: DeploymentReport
    next_stage: int | None


def _number(errors, data, name, *, whole: bool, maximum=None):
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or (whole and not float(value).is_integer()):
        errors[name] = ["Give a whole number." if whole else "Give a number."]
        return None
    if value < 0 or (maximum is not None and value > maximum):
        errors[name] = [f"Give a number from 0 to {maximum}." if maximum else "Give a number of at least 0."]
        return None
    return int(value) if whole else float(value)


def _clean(data: dict) -> dict:
    """Every field present and of its shape; errors name each field and its rule."""
    errors = {key: ["Unknown field."] for key in data if key not in FIELDS}
    cleaned = {}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            errors[name] = ["This field is required (text)."]
            continue
        pattern, message = FIELD_RULES.get(name, (None, ""))
        if pattern is not None and not pattern.match(value):
            errors[name] = [message]
        cleaned[name] = value.strip()
    stages = policy.get("pipeline_rollout_stages")
    stage = _number(errors, data, "stage", whole=True)
    if stage is not None and stage not in stages:
        errors["stage"] = [f"Give a stage of the policy's sequence: {', '.join(map(str, stages))} (percent)."]
    cleaned["stage"] = stage
    cleaned["error_rate_percent"] = _number(errors, data, "error_rate_percent", whole=False, maximum=100)
    cleaned["p95_latency_ms"] = _number(errors, data, "p95_latency_ms", whole=True)
    cleaned["alert_count"] = _number(errors, data, "alert_count", whole=True)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _expected_stage(previous: DeploymentReport | None, stages: list[int]) -> int | None:
    """The stage the next report must carry: the first, the same again after a hold, else the next;
    None once the rollout reached 100 %."""
    if previous is None:
        return stages[0]
    if previous.action == Action.HOLD:
        return previous.stage
    later = [stage for stage in stages if stage > previous.stage]
    return later[0] if later else None


@logged_refusals("pipeline deployment report")
def report_deployment(*, actor, data: dict) -> Answer:
    """Record one stage of a rollout; `actor` is the pipeline token. Raises ValidationError (400) on bad
    input or a stage out of order, PermissionDenied (403) for a service outside the token's scope,
    GateRefused (409) for a change in the wrong state or whose gate did not allow this digest, and
    Unauthorized (409) after writing the detection record when no change allows the digest."""
    fields = _clean(data)
    service = _named(Service, fields["service"], "service", "service")
    environment = _named(DeployEnvironment, fields["environment"], "environment", "environment")
    if not rules.token_covers(actor, service):
        raise PermissionDenied(f"This pipeline token is not scoped to service “{service.name}”.")
    allowed = GateDecision.objects.filter(service=service, environment=environment, decision=Decision.ALLOW,
                                          artefact_digest=fields["artefact_digest"])
    if not allowed.exists():
        raise Unauthorized(_record_unauthorized(actor, service, environment, fields))
    change_id = selectors.change_id_for(fields["change"])
    if not allowed.filter(change_id=change_id).exists():
        raise GateRefused("deployment_report", [Missing(
            "not_allowed", f"The gate did not allow {fields['artefact_digest']} for {service.name} in "
            f"{environment.name} under {fields['change']}: ask the gate under this change first.", REF_REPORTS)])
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change_id)
        return _record(actor, change, service, environment, fields, timezone.now())


def _record(token, change, service, environment, fields, now: datetime) -> Answer:
    stages = policy.get("pipeline_rollout_stages")
    previous = (DeploymentReport.objects.filter(change=change, environment=environment)
                .order_by("-reported_at", "-id").first())
    if change.state not in (State.READY, State.DEPLOYED) or (change.state == State.READY) != (previous is None):
        raise GateRefused("deployment_report", [Missing(
            "wrong_state", f"The change is “{change.get_state_display()}”: a rollout is reported for a change that "
            "is ready (its first stage) or being deployed.", REF_REPORTS)])
    expected = _expected_stage(previous, stages)
    if expected is None:
        raise GateRefused("deployment_report", [Missing(
            "rollout_complete", "The rollout already reached 100 %.", REF_REPORTS)])
    if fields["stage"] != expected:
        raise ValidationError({"stage": [f"Stages are reported in order: the next is {expected} %, not "
                                         f"{fields['stage']} %."]})
    measurements = {name: fields[name] for name in NUMBER_FIELDS if name != "stage"}
    action, reasons = health.judge(measurements)
    if change.state == State.READY:
        change = _deploy(token, change)
    rollback = None
    if action == Action.ROLL_BACK:
        change, rollback = _roll_back(token, change, fields["stage"], measurements, reasons, now)
    entry = ledger.append(actor=_actor(token), action="pipeline.deployment_report", subject=change, payload={
        "service": service.name, "environment": environment.name, "artefact_digest": fields["artefact_digest"],
        "pipeline_id": fields["pipeline_id"], "run_id": fields["run_id"], "stage": fields["stage"],
        **measurements, "action": action, "reasons": [reason.code for reason in reasons]})
    report = DeploymentReport.objects.create(
        change=change, service=service, environment=environment, artefact_digest=fields["artefact_digest"],
        pipeline_id=fields["pipeline_id"], run_id=fields["run_id"], stage=fields["stage"], **measurements,
        action=action, reasons=[reason.as_dict() for reason in reasons], rollback=rollback, token=token,
        ledger_entry=entry, reported_at=now)
    next_stage = _expected_stage(report, stages) if action == Action.CONTINUE else None
    return Answer(report, next_stage)


def _deploy(token, change) -> ChangeRequest:
    """The first stage deploys the change: the deploy gate (window, freezes, schedule) must hold now;
    the pre-deployment checklist is attested by the pipeline token."""
    checklist = [item["code"] for item in policy.get("predeploy_checklist")]
    return change_services.run_transition(change_id=change.pk, name="deploy", actor=token.user, automatic=True,
                                          data={"predeploy_checklist": checklist,
                                                "deployment_method": PIPELINE_METHOD})


def _roll_back(token, change, stage, measurements, reasons, now):
    summary = "; ".join(reason.message for reason in reasons)
    trigger = "error_rate_rise" if any(r.code.startswith("error_rate") for r in reasons) \
        else "performance_degradation"
    change = change_services.run_transition(change_id=change.pk, name="roll_back", actor=token.user,
                                            automatic=True, data={
        "severity": "critical", "trigger": trigger, "kind": "application", "decided_at": now, "completed_at": now,
        "reason": f"Health at the {stage} % stage broke the policy's budget: {summary}",
        "steps_executed": f"The pipeline rolled the {stage} % stage back automatically.",
        "impact": f"{stage} % of traffic; error rate {measurements['error_rate_percent']:g} %, p95 latency "
                  f"{measurements['p95_latency_ms']} ms, {measurements['alert_count']} alerts.",
        "root_cause": "To be established in the post-implementation review.",
        "preventive_measures": "To be agreed in the post-implementation review.",
        "automatic": True})
    owner_id = change.owner_id or change.requester_id
    notify_many([Message(user_id=owner_id, kind=NotificationKind.AUTOMATIC_ROLLBACK,
                         title=f"{change.reference} was rolled back automatically at {stage} %", body=summary,
                         url=reverse("changes:detail", args=[change.pk]))])
    return change, change.rollbacks.order_by("-id").first()


def _record_unauthorized(token, service, environment, fields) -> UnauthorizedDeployment:
    """The detection record of an unauthorized change: written and kept although the report is refused."""
    now = timezone.now()
    with transaction.atomic():
        entry = ledger.append(actor=_actor(token), action="pipeline.unauthorized_change", subject=service, payload={
            "service": service.name, "environment": environment.name, "artefact_digest": fields["artefact_digest"],
            "pipeline_id": fields["pipeline_id"], "run_id": fields["run_id"], "change": fields["change"],
            "stage": fields["stage"]})
        record = UnauthorizedDeployment.objects.create(
            service=service, environment=environment, artefact_digest=fields["artefact_digest"],
            pipeline_id=fields["pipeline_id"], run_id=fields["run_id"], named_change=fields["change"][:200],
            stage=fields["stage"], token=token, ledger_entry=entry, detected_at=now)
        security = get_user_model().objects.filter(is_active=True, groups__name=Role.SECURITY).distinct()
        notify_many([Message(user_id=user.pk, kind=NotificationKind.UNAUTHORIZED_CHANGE,
                             title=f"Unauthorized change: {service.name} in {environment.name}",
                             body=f"Pipeline {fields['pipeline_id']} run {fields['run_id']} reported deploying "
                                  f"{fields['artefact_digest']} at {fields['stage']} %, which no change allows.",
                             url="") for user in security])
        return record
