"""Recording a change's test evidence [POLICY §4 test]."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from changemgmt import ledger
from changes import rules
from changes.forms import TestEvidenceForm
from changes.services.common import _lock, _validated


def record_test_evidence(*, change_id, actor, data):
    with transaction.atomic():
        change = _lock(change_id)
        if not rules.can_record_evidence(actor, change):
            raise PermissionDenied("Test evidence is recorded by the author, owner or operations while testing.")
        form = _validated(TestEvidenceForm, data)
        evidence = form.save(commit=False)
        evidence.change = change
        evidence.recorded_by = actor
        evidence.save()
        ledger.append(actor=actor, action="change.test_evidence", subject=change, payload={
            "test_type": evidence.test_type, "result": evidence.result, "summary": evidence.summary,
            "evidence_url": evidence.evidence_url})
        return evidence
