"""Writes of the pipeline gate. Each locks what it changes in one transaction, checks permission
(changes.pipeline.rules), and appends one ledger entry; a refused request writes nothing.

`ask_gate` is idempotent per (pipeline, run, environment): it locks the change row, so polls of one
run queue behind each other, and returns the decision already made for the change as it stands (its
state and what the gate finds missing, hashed into `fingerprint`); only a new answer is written, with
its one ledger entry. The unique constraint on the decision is the backstop if the lock is bypassed.

The repeated poll's fast path: an answer that cannot move with the clock alone (evaluation.clock_free)
keeps the stamp of the inputs it was confirmed from (selectors.stamp_of: the change, its slots,
evidence, services, artefacts, the freezes, windows and policy revision). A poll whose stamp, read with
the decision in one query, still matches gets that decision without lock or evaluation; anything else
takes the full path, which re-stamps the decision it answers (a cache column: no ledger entry).
"""
import hashlib
import json
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from changemgmt import ledger
from changemgmt.errors import GateRefused, Missing
from changemgmt.refusals import logged_refusals
from changes import services as change_services
from changes.choices import ChangeType, RiskLevel
from changes.models import ChangeRequest, Service, StandardTemplate
from changes.pipeline import attestation, evaluation, rules, selectors
from changes.pipeline.choices import Decision
from changes.pipeline.models import ArtefactAllowance, ChangeArtefact, DeployEnvironment, GateDecision

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
RUN_TEXT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+#-]{0,199}$")
FIELDS = ("change", "service", "environment", "artefact_digest", "pipeline_id", "run_id")
FIELD_RULES = {
    "artefact_digest": (DIGEST, "Give the artefact digest as sha256:<64 lowercase hex digits>."),
    "pipeline_id": (RUN_TEXT, "Give the pipeline id: 1-200 letters, digits and . _ : / @ + # -."),
    "run_id": (RUN_TEXT, "Give the run id: 1-200 letters, digits and . _ : / @ + # -."),
}


def _clean(data: dict) -> dict:
    """Every field present, text, and of its shape; errors name each field and its rule."""
    errors = {key: ["Unknown field."] for key in data if key not in FIELDS}
    for name in FIELDS:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            errors[name] = ["This field is required (text)."]
            continue
        pattern, message = FIELD_RULES.get(name, (None, ""))
        if pattern is not None and not pattern.match(value):
            errors[name] = [message]
    if errors:
        raise ValidationError(errors)
    return {name: data[name].strip() for name in FIELDS}


def _named(model, name: str, field: str, what: str):
    found = model.objects.filter(name=name).first()
    if found is None:
        raise ValidationError({field: [f"Unknown {what} “{name}”."]})
    return found


def _fingerprint(change, service, environment, digest, answer) -> str:
    codes = sorted((item.missing.code, item.blocking) for item in answer.items)
    text = json.dumps([change.state, service.pk, environment.pk, digest, answer.decision, codes])
    return hashlib.sha256(text.encode()).hexdigest()


def _actor(token) -> str:
    """Ledger actor of a pipeline's request: the token, not the administrator who issued it."""
    return f"pipeline:{token.name} (cm_{token.prefix})"


@logged_refusals("pipeline gate")
def ask_gate(*, actor, data: dict) -> tuple[GateDecision, bool]:
    """The gate's decision for a pipeline run, and whether it is new; `actor` is the pipeline token.
    A repeated poll gets the stored decision with a fresh `retry_after` (the clock moved since). Refuses
    with ValidationError (400) on bad input, PermissionDenied (403) for a service the token is not scoped
    to, GateRefused (409) for a change that can no longer deploy; nothing is written then."""
    fields = _clean(data)
    service = selectors.scoped_service(actor, fields["service"]) if rules.may_ask_gate(actor) else None
    if service is None:
        service = _named(Service, fields["service"], "service", "service")
        raise PermissionDenied(f"This pipeline token is not scoped to service “{service.name}”.")
    change_id = selectors.change_id_for(fields["change"], checked=False)  # _decide's lock reads it
    standing = _standing_decision(service, change_id, fields)
    if standing is not None:
        return standing, False
    environment = _named(DeployEnvironment, fields["environment"], "environment", "environment")
    try:
        return _decide(actor, change_id, service, environment, fields)
    except IntegrityError:
        # Lost a race the change lock should have prevented: the winner's decision is the answer.
        decision = selectors.decision_for(pipeline_id=fields["pipeline_id"], run_id=fields["run_id"],
                                          environment=environment, change_id=change_id)
        if decision is None:
            raise
        return decision, False


def _standing_decision(service, change_id, fields) -> GateDecision | None:
    """The run's stamped decision when nothing it was made from has moved since (one query), else None."""
    stored = selectors.stamped_decision(pipeline_id=fields["pipeline_id"], run_id=fields["run_id"],
                                        environment_name=fields["environment"], change_id=change_id)
    if (stored is None or stored.service_id != service.pk or stored.artefact_digest != fields["artefact_digest"]
            or stored.stamp != selectors.stamp_of(stored, stored.change)):
        return None
    return stored


def _restamp(decision, key, stamp: str, new: bool) -> None:
    """Give `decision` the stamp of the inputs it was just confirmed from, and no other decision of the run."""
    if not new and decision.stamp == stamp:
        return
    run = GateDecision.objects.filter(pipeline_id=key["pipeline_id"], run_id=key["run_id"],
                                      environment=key["environment"], change=key["change"])
    run.exclude(pk=decision.pk).exclude(stamp="").update(stamp="")
    if decision.stamp != stamp:
        run.filter(pk=decision.pk).update(stamp=stamp)
        decision.stamp = stamp


def _decide(token, change_id, service, environment, fields) -> tuple[GateDecision, bool]:
    with transaction.atomic():
        if not ChangeRequest.objects.select_for_update().filter(pk=change_id).values_list("pk").first():
            raise ValidationError({"change": [f"No change {fields['change']}."]})
        stamp = selectors.inputs_stamp(change_id)  # before the evaluation reads: a later move re-stamps
        change = selectors.with_gate_relations(ChangeRequest.objects.filter(pk=change_id)).get()
        if change.state not in evaluation.GATED_STATES:
            raise GateRefused("pipeline", [Missing(
                "wrong_state", f"The change is “{change.get_state_display()}”: it can no longer deploy.",
                evaluation.REF_STATES)])
        now = timezone.now()
        digest = fields["artefact_digest"]
        artefacts = selectors.artefact_digests(change)
        answer = evaluation.evaluate(change, service=service, digest=digest, artefacts=artefacts,
                                     several_allowed=bool(artefacts) and digest not in artefacts
                                     and ArtefactAllowance.objects.filter(change=change).exists(), now=now)
        key = {"pipeline_id": fields["pipeline_id"], "run_id": fields["run_id"], "environment": environment,
               "change": change, "change_state": change.state,
               "fingerprint": _fingerprint(change, service, environment, digest, answer)}
        stamp = stamp if evaluation.clock_free(change) else ""
        existing = selectors.decision_for(**key)
        if existing is not None:
            existing.retry_after = answer.retry_after  # not saved: advice for this poll only
            _restamp(existing, key, stamp, new=False)
            return existing, False
        decision = _record(token, change, service, digest, answer, key, now, stamp)
        _restamp(decision, key, stamp, new=True)
        return decision, True


def _record(token, change, service, digest, answer, key, now, stamp) -> GateDecision:
    missing = [item.as_dict() for item in answer.items]
    entry = ledger.append(actor=_actor(token), action=f"pipeline.gate_{answer.decision}", subject=change, payload={
        "pipeline_id": key["pipeline_id"], "run_id": key["run_id"], "environment": key["environment"].name,
        "service": service.name, "artefact_digest": digest, "state": change.state,
        "decision": answer.decision, "missing": [item["code"] for item in missing]})
    decision = GateDecision(**key, service=service, artefact_digest=digest, decision=answer.decision,
                            missing=missing, retry_after=answer.retry_after, token=token, ledger_entry=entry,
                            decided_at=now, stamp=stamp)
    if answer.decision == Decision.ALLOW:
        decision.attestation = attestation.envelope(decision, change)  # the id is set before the first save
    decision.save(force_insert=True)
    if answer.decision == Decision.ALLOW:
        ChangeArtefact.objects.get_or_create(change=change, digest=digest,
                                             defaults={"decision": decision, "recorded_at": now})
    return decision


@logged_refusals("allow several artefacts")
def allow_several_artefacts(*, change_id: int, actor, reason: str) -> ArtefactAllowance:
    """Let a change deploy more than one artefact digest (the gate otherwise denies a second one)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why this change deploys more than one artefact."]})
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change_id)
        if not rules.can_allow_multiple_artefacts(actor, change):
            raise PermissionDenied("Only the change's author or owner, operations or an administrator may allow "
                                   "several artefacts.")
        allowance, created = ArtefactAllowance.objects.get_or_create(
            change=change, defaults={"allowed_by": actor, "reason": reason.strip(), "allowed_at": timezone.now()})
        if created:
            ledger.append(actor=actor, action="pipeline.several_artefacts_allowed", subject=change,
                          payload={"reason": allowance.reason})
        return allowance


@logged_refusals("save deploy environment")
def save_environment(*, actor, environment: DeployEnvironment) -> DeployEnvironment:
    """Add or edit an environment the gate governs (administrators; the admin calls this)."""
    if not rules.can_manage_environments(actor):
        raise PermissionDenied("Only an administrator manages deploy environments.")
    with transaction.atomic():
        created = environment.pk is None
        environment.full_clean()
        environment.save()
        ledger.append(actor=actor, action="pipeline.environment_" + ("added" if created else "edited"),
                      subject=environment, payload={"name": environment.name,
                                                    "description": environment.description})
        return environment


OPEN_TEXT = ("template", "service", "planned_start", "planned_end")
OPEN_OPTIONAL = ("title", "description", "business_justification", "impact_systems", "impact_users", "ticket_url",
                 "pr_url", "external_source", "external_key")
REF_STANDARD = "POLICY §1 standard changes"


@logged_refusals("pipeline opens a standard change")
def open_standard_change(*, actor, data: dict) -> tuple[ChangeRequest, object]:
    """A pipeline opens its own change from a catalog template (a standard change, issue 10 §1), for one
    service its token is scoped to, and the change is submitted and assessed at once: pre-approved, so it
    waits only for its tests and its schedule. The template's conditions must hold — the template active,
    the change standard and low risk, the submit and assess gates holding — else nothing is written
    (GateRefused, 409). Filed in the name of the token's issuer (`token.user`) through changes.services;
    a `pipeline.change_opened` ledger entry names the token. Returns (change, that entry)."""
    errors = {key: ["Unknown field."] for key in data if key not in OPEN_TEXT + OPEN_OPTIONAL}
    errors.update({name: ["This field is required."] for name in OPEN_TEXT if data.get(name) in (None, "")})
    if errors:
        raise ValidationError(errors)
    service = _named(Service, str(data["service"]), "service", "service")
    if not rules.token_covers(actor, service):
        raise PermissionDenied(f"This pipeline token is not scoped to service “{service.name}”.")
    template = _template(data["template"])
    fields = {key: data[key] for key in OPEN_OPTIONAL + ("planned_start", "planned_end") if key in data}
    with transaction.atomic():
        change = change_services.create_from_template(actor=actor.user, template_id=template.pk,
                                                      data={**fields, "services": [service.pk]})
        if change.change_type != ChangeType.STANDARD or change.risk_level != RiskLevel.LOW:
            raise GateRefused("open", [Missing("template_conditions", (
                f"“{template.name}” does not make a low-risk standard change as asked "
                f"({'; '.join(change.notices) or 'its scorecard is not low'}): file a normal change instead."),
                REF_STANDARD)])
        for step in ("submit", "assess"):  # the assess step approves at once: a standard change has no slots
            change = change_services.run_transition(change_id=change.pk, name=step, actor=actor.user,
                                                    automatic=True)
        entry = ledger.append(actor=_actor(actor), action="pipeline.change_opened", subject=change, payload={
            "template": template.name, "template_id": template.pk, "service": service.name,
            "state": change.state, "requester": actor.user.username})
        return change, entry


def _template(value):
    """An active standard template, by id or by name; ValidationError on `template`."""
    found = StandardTemplate.objects.filter(active=True)
    if isinstance(value, bool):
        value = None
    found = found.filter(pk=value) if isinstance(value, int) else found.filter(name=str(value))
    template = found.first()
    if template is None:
        raise ValidationError({"template": ["No active standard template with this id or name."]})
    return template
