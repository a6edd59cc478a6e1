"""Reads for the pipeline gate: finding the change a pipeline names, a change's decisions and its
rollout, and the unauthorized changes detected.

The repeated poll's fast path (changes.pipeline.services.ask_gate) reads the run's stored decision
together with a stamp of everything a clock-free answer depends on, in one query: the change's own
fields (state, type, risk, plan, `updated_at`), its approval slots, test evidence, services,
configuration items, artefacts and allowance, the freezes, windows and configuration items as their
history tables last moved, and the policy revision. `stamp_of` hashes those values; a decision whose
stored stamp equals the stamp read now was made from the very inputs the gate would read again.
"""
import hashlib
import json
import re

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.db.models.expressions import RawSQL

from approvals.models import ApprovalSlot
from changemgmt.models import PolicyRevision
from changes.calendar.models import ConfigurationItem, DeploymentWindow, Freeze
from changes.models import REFERENCE_PREFIX, ChangeRequest, TestEvidence
from changes.pipeline.choices import Action
from changes.pipeline.models import (
    ArtefactAllowance,
    ChangeArtefact,
    DeploymentReport,
    GateDecision,
    UnauthorizedDeployment,
)

REFERENCE = re.compile(rf"^{REFERENCE_PREFIX}(\d{{1,12}})$", re.IGNORECASE)
TICKET_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")


def _by_external_reference(text: str) -> int | None:
    """The change carrying the external reference `source:key` (jira:PAY-42) or the key alone (PAY-42, when
    one source has it); None when none does."""
    source, _, key = text.rpartition(":")
    changes = ChangeRequest.objects.filter(external_key=key, **({"external_source": source} if source else {}))
    ids = list(changes.values_list("pk", flat=True)[:2])
    if len(ids) > 1:
        raise ValidationError({"change": [f"Several tools have a ticket {key}: name it as source:key (jira:{key})."]})
    return ids[0] if ids else None


def change_id_for(text: str, *, checked: bool = True) -> int:
    """The id of the change a pipeline names: by reference (CHG-000123), by its external reference
    (jira:PAY-42 or PAY-42: changes.models.ChangeRequest.external_key), or else by the key of its ticket
    link (PAY-42: the link's last segment). Raises ValidationError on `change`. With `checked=False` a
    reference's id is returned without asking whether the change exists (the caller's next read does)."""
    match = REFERENCE.match(text)
    if match:
        pk = int(match.group(1))
        if not checked or ChangeRequest.objects.filter(pk=pk).exists():
            return pk
        raise ValidationError({"change": [f"No change {text}."]})
    found = _by_external_reference(text)
    if found is not None:
        return found
    if not TICKET_KEY.match(text):
        raise ValidationError({"change": [f"No change carries the external reference {text}: give a change "
                                          f"reference ({REFERENCE_PREFIX}000123) or a ticket key (PAY-42)."]})
    ids = list(ChangeRequest.objects.filter(ticket_url__iendswith=f"/{text}").values_list("pk", flat=True)[:2])
    if not ids:
        raise ValidationError({"change": [f"No change links ticket {text}."]})
    if len(ids) > 1:
        raise ValidationError({"change": [f"Several changes link ticket {text}: name the change by reference."]})
    return ids[0]


def scoped_service(token, name: str):
    """The service named `name` if the pipeline token is scoped to it, else None: one query."""
    return token.services.filter(name=name).first()


def with_gate_relations(queryset):
    """What the gates and the attestation read, in a fixed number of queries."""
    return queryset.prefetch_related(
        "services", "configuration_items",
        Prefetch("approval_slots", queryset=ApprovalSlot.objects.select_related("decided_by").order_by("id")),
        Prefetch("test_evidence", queryset=TestEvidence.objects.select_related("recorded_by")),
    )


def artefact_digests(change) -> list[str]:
    return list(ChangeArtefact.objects.filter(change=change).order_by("recorded_at", "id")
                .values_list("digest", flat=True))


def decision_for(**key) -> GateDecision | None:
    return (GateDecision.objects.select_related("environment", "service", "change", "ledger_entry")
            .filter(**key).first())


CHANGE_FIELDS = ("state", "change_type", "risk_level", "planned_start", "planned_end", "freeze_justification",
                 "updated_at")


def _stamp_sql(change_column: str) -> dict:
    """Scalar subqueries, each correlated to `change_column` (the SQL column holding the change id) or global."""
    def table(model):
        return model._meta.db_table

    slots, evidence = table(ApprovalSlot), table(TestEvidence)
    per_change = {
        "slots": f"SELECT COUNT(*) FROM {slots} WHERE change_id = {change_column}",
        "slots_id": f"SELECT MAX(id) FROM {slots} WHERE change_id = {change_column}",
        "slots_at": f"SELECT MAX(decided_at) FROM {slots} WHERE change_id = {change_column}",
        "slots_status": f"SELECT SUM(CASE status WHEN 'pending' THEN 0 WHEN 'granted' THEN id "
                        f"WHEN 'rejected' THEN -id ELSE 2 * id END) "
                        f"FROM {slots} WHERE change_id = {change_column}",
        "evidence": f"SELECT COUNT(*) FROM {evidence} WHERE change_id = {change_column}",
        "evidence_id": f"SELECT MAX(id) FROM {evidence} WHERE change_id = {change_column}",
        "evidence_passed": f"SELECT SUM(CASE result WHEN 'passed' THEN id ELSE 0 END) FROM {evidence} "
                           f"WHERE change_id = {change_column}",
        "artefacts": f"SELECT COUNT(*) FROM {table(ChangeArtefact)} WHERE change_id = {change_column}",
        "artefacts_id": f"SELECT MAX(id) FROM {table(ChangeArtefact)} WHERE change_id = {change_column}",
        "allowance": f"SELECT COUNT(*) FROM {table(ArtefactAllowance)} WHERE change_id = {change_column}",
    }
    for name, field in (("services", ChangeRequest.services), ("items", ChangeRequest.configuration_items)):
        through = field.through
        per_change[name] = (f"SELECT COUNT(*) FROM {table(through)} "
                            f"WHERE changerequest_id = {change_column}")
        per_change[f"{name}_id"] = f"SELECT MAX(id) FROM {table(through)} WHERE changerequest_id = {change_column}"
    everywhere = {
        "freezes": f"SELECT MAX(history_id) FROM {table(Freeze.history.model)}",
        "freeze_services": f"SELECT COUNT(*) FROM {table(Freeze.services.through)}",
        "freeze_services_id": f"SELECT MAX(id) FROM {table(Freeze.services.through)}",
        "windows": f"SELECT MAX(history_id) FROM {table(DeploymentWindow.history.model)}",
        "items_moved": f"SELECT MAX(history_id) FROM {table(ConfigurationItem.history.model)}",
        "policy": f"SELECT MAX(number) FROM {table(PolicyRevision)}",
    }
    return {f"stamp_{name}": RawSQL(sql, ()) for name, sql in {**per_change, **everywhere}.items()}


STAMP_PARTS = tuple(_stamp_sql("0"))


def stamp_of(row, change) -> str:
    """The hash of the stamp annotations on `row` and the gate's fields of `change`."""
    values = [getattr(change, name) for name in CHANGE_FIELDS] + [getattr(row, name) for name in STAMP_PARTS]
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()


def inputs_stamp(change_id: int) -> str:
    """The stamp of a change's gate inputs as they stand (read before the evaluation reads them)."""
    column = f'"{ChangeRequest._meta.db_table}"."id"'
    change = (ChangeRequest.objects.filter(pk=change_id).only(*CHANGE_FIELDS)
              .annotate(**_stamp_sql(column)).get())
    return stamp_of(change, change)


def stamped_decision(*, pipeline_id: str, run_id: str, environment_name: str, change_id: int):
    """The run's decision that carries a stamp (at most one does), annotated with the stamp read now; None
    when there is none. One query."""
    column = f'"{GateDecision._meta.db_table}"."change_id"'
    return (GateDecision.objects.select_related("environment", "service", "change", "ledger_entry")
            .filter(pipeline_id=pipeline_id, run_id=run_id, environment__name=environment_name,
                    change_id=change_id).exclude(stamp="")
            .annotate(**_stamp_sql(column)).first())



def rollout_of(change) -> list:
    """The stages a pipeline reported for the change, in order (the change page's Rollout panel)."""
    return list(DeploymentReport.objects.filter(change=change).select_related("environment")
                .order_by("reported_at", "id"))


def rollout_completed_at(change):
    """(reported, completed_at): whether a pipeline reports this change's rollout, and when it reached
    100 % healthy (None while it has not). The verify step's monitoring period counts from then."""
    reports = DeploymentReport.objects.filter(change=change)
    done = reports.filter(stage=100, action=Action.CONTINUE).order_by("reported_at").values_list(
        "reported_at", flat=True).first()
    return reports.exists(), done


def unauthorized_count(period) -> int:
    """Unauthorized changes detected in `period` (a (start, end) pair, end excluded), for the metrics."""
    start, end = period
    return UnauthorizedDeployment.objects.filter(detected_at__gte=start, detected_at__lt=end).count()
