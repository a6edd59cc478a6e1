"""Reads for the pipeline gate: finding the change a pipeline names, a change's decisions and its
rollout, and the unauthorized changes detected."""
import re

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from approvals.models import ApprovalSlot
from changes.models import REFERENCE_PREFIX, ChangeRequest, TestEvidence
from changes.pipeline.choices import Action
from changes.pipeline.models import ChangeArtefact, DeploymentReport, GateDecision, UnauthorizedDeployment

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


def change_id_for(text: str) -> int:
    """The id of the change a pipeline names: by reference (CHG-000123), by its external reference
    (jira:PAY-42 or PAY-42: changes.models.ChangeRequest.external_key), or else by the key of its ticket
    link (PAY-42: the link's last segment). Raises ValidationError on `change`."""
    match = REFERENCE.match(text)
    if match:
        pk = int(match.group(1))
        if ChangeRequest.objects.filter(pk=pk).exists():
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
