"""Retention per record kind [POLICY §9] and the legal hold that stops it.

`purge_expired` (daily beat job `audit.purge_expired_records`) finds, per kind, the records older than
`retention_years[kind]` years — counted from the record's own date (a test result's recording, a
deployment report, a change's close, an approval's decision, a rollback's completion) — whose change
is not under legal hold and that have no tombstone yet. Each is purged in its own transaction, the row
locked and re-checked first (a second or concurrent run purges nothing twice):

- its content fields are cleared (text to a "[purged …]" marker, so a record that had to say something
  still does and the invariants keep holding; links and logs to empty) with a queryset update, and
  its row history (django-simple-history), which holds the same content, is deleted;
- a `Tombstone` keeps kind, id, reference, the record's date, the purge time and the SHA-256 of the
  purged content;
- a `retention.purged` ledger entry carries the same. The ledger is never purged, and nothing here
  touches it except to append.

CAB minutes have their own job (cab.purge_expired_minutes, the same policy's `cab_minutes`).
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from approvals.models import ApprovalSlot
from audit.retention.choices import RecordKind
from audit.retention.models import Tombstone
from audit.retention.rules import may_hold
from changemgmt import ledger, policy
from changemgmt.errors import Conflict
from changes.models import ChangeRequest, DeploymentReport, RollbackRecord, TestEvidence

POLICY_REF = "POLICY §9 [002 §11]"
PURGED = "[purged under retention, POLICY §9]"
BATCH = 500
MAX_REASON = 2000


@dataclass(frozen=True)
class Kind:
    code: str
    model: type
    date_field: str
    change_field: str  # the lookup from the record to its change ("" for the change itself)
    text_fields: tuple[str, ...] = ()  # cleared to PURGED when not empty
    blank_fields: dict | None = None  # cleared to these values

    def change_lookup(self, name: str) -> str:
        return f"{self.change_field}__{name}" if self.change_field else name


KINDS = {kind.code: kind for kind in [
    Kind(RecordKind.TEST_RESULTS, TestEvidence, "recorded_at", "change", ("summary",), {"evidence_url": ""}),
    Kind(RecordKind.DEPLOYMENT_LOGS, DeploymentReport, "reported_at", "change", (),
         {"reasons": [], "pipeline_id": "", "run_id": ""}),
    Kind(RecordKind.CHANGES, ChangeRequest, "closed_at", "",
         ("description", "business_justification", "impact_systems", "impact_users", "implementation_plan",
          "test_plan", "rollback_plan", "lessons_learned", "closing_reason", "freeze_justification",
          "risk_override_reason"), {"ticket_url": "", "pr_url": ""}),
    Kind(RecordKind.APPROVALS, ApprovalSlot, "decided_at", "change", ("reason",)),
    Kind(RecordKind.ROLLBACKS, RollbackRecord, "completed_at", "change",
         ("reason", "steps_executed", "impact", "root_cause", "preventive_measures")),
]}


def cutoff(now: datetime, years: int) -> datetime:
    """The same moment `years` years before `now` (29 February falls back to the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def expired(kind: Kind, now: datetime):
    """Records of `kind` past retention, not under legal hold, not yet purged."""
    years = policy.get("retention_years")[kind.code]
    purged = Tombstone.objects.filter(kind=kind.code).values("object_id")
    return (kind.model.objects.filter(**{f"{kind.date_field}__lt": cutoff(now, years)})
            .exclude(**{kind.change_lookup("legal_hold"): True}).exclude(pk__in=purged))


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _reference(kind: Kind, record) -> str:
    change_id = record.pk if not kind.change_field else getattr(record, f"{kind.change_field}_id")
    label = "" if not kind.change_field else f" {record._meta.verbose_name} {record.pk}"
    return f"CHG-{change_id:06d}{label}"


def _purge_one(kind: Kind, pk: int, now: datetime) -> Tombstone | None:
    with transaction.atomic():
        record = expired(kind, now).select_for_update().filter(pk=pk).first()
        if record is None:
            return None  # purged meanwhile, put on hold, or no longer expired
        fields = list(kind.text_fields) + list(kind.blank_fields or {})
        content = {name: getattr(record, name) for name in fields}
        cleared = {name: PURGED for name in kind.text_fields if getattr(record, name)}
        cleared.update(kind.blank_fields or {})
        kind.model.objects.filter(pk=pk).update(**cleared)
        history = getattr(kind.model, "history", None)
        if history is not None:
            history.model.objects.filter(id=pk).delete()
        tombstone = Tombstone.objects.create(
            kind=kind.code, object_id=pk, change_id=record.pk if not kind.change_field else record.change_id,
            reference=_reference(kind, record), record_date=getattr(record, kind.date_field), purged_at=now,
            content_sha256=content_hash(content))
        ledger.append(actor=None, action="retention.purged", subject=record, payload={
            "kind": kind.code, "reference": tombstone.reference, "record_date": tombstone.record_date,
            "content_sha256": tombstone.content_sha256, "fields": fields,
            "policy": f"{POLICY_REF} retention_years.{kind.code}"})
        return tombstone


def purge_expired(*, now: datetime | None = None) -> dict[str, int]:
    """Purge every record past retention; returns how many of each kind."""
    now = now or timezone.now()
    counts = {}
    for code, kind in KINDS.items():
        counts[code] = 0
        while True:
            ids = list(expired(kind, now).order_by(kind.date_field, "pk").values_list("pk", flat=True)[:BATCH])
            done = [pk for pk in ids if _purge_one(kind, pk, now) is not None]
            counts[code] += len(done)
            if not done:
                break
    return counts


def set_legal_hold(*, change_id: int, actor, hold: bool, reason: str) -> ChangeRequest:
    """Place (`hold=True`) or release a legal hold on a change, with a reason: while held, retention
    purges nothing of it. One `change.legal_hold_placed` / `_released` ledger entry and a history row."""
    reason = (reason or "").strip()
    if not may_hold(actor):
        raise PermissionDenied("Only an administrator or the CISO may place or release a legal hold.")
    if not isinstance(hold, bool):
        raise ValidationError({"hold": "Say whether to place (true) or release (false) the hold."})
    if not reason:
        raise ValidationError({"reason": "Give the reason for the legal hold (or for releasing it)."})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"At most {MAX_REASON} characters."})
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change_id)
        if change.legal_hold == hold:
            raise Conflict(f"{change.reference} is {'already' if hold else 'not'} under legal hold.")
        change.legal_hold, change.legal_hold_reason = hold, reason if hold else ""
        change.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
        ledger.append(actor=actor, action=f"change.legal_hold_{'placed' if hold else 'released'}", subject=change,
                      payload={"reason": reason, "policy": POLICY_REF})
    return change
