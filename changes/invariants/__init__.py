"""What must hold for every change in every state, as checkable rules [POLICY §1-§9].

A change in state S satisfies, at every moment, every gate of its state path that can still be
judged: the fields the submit gate asked for are still there, the evidence the test gate asked for
is there, a deployment happened inside a window for its risk and outside hard freezes, and so on.
Approvals keep separation of duties, and every write is in the ledger, which verifies.

Each rule is a named function with its POLICY reference that returns the violations it finds, so
one module serves the model-based test (tests/changes/test_invariants_stateful.py), the unit tests and an
operator (`manage.py check_invariants` on the live database).

How to read a violation: rules judge the data as it is now, with the policy, windows and the roles
of people as they are now (a policy edit that tightens a rule can make an older change look in
breach; the ledger's `policy.updated` entries say when the rule changed). The schedule rules judge
freezes as announced before the step (an announced freeze's creation time comes from its row
history). No rule is left out of the model-based test: each promise is proved, not assumed.
"""
from collections import defaultdict
from collections.abc import Iterable

from changemgmt.models import LedgerEntry
from changes.invariants.core import RULES, SUBJECT_PREFIX, Rule, Subject, Violation, rule
from changes.models import ChangeRequest, TestEvidence

# Importing the sections registers their rules, in this order (the order of RULES and of the catalogue).
# isort: off
from changes.invariants import submit, assess, approval, delivery, ledger  # noqa: F401
from changes.invariants.ledger import LEDGER_RULE, ledger_violations
# isort: on

__all__ = ["LEDGER_RULE", "RULES", "Rule", "Subject", "Violation", "catalogue", "check_all", "check_change",
           "ledger_violations", "rule", "subjects"]


def _queryset():
    from django.db.models import Prefetch

    from approvals.models import ApprovalSlot

    return (ChangeRequest.objects.select_related("owner", "requester", "team")
            .prefetch_related("services", "configuration_items", "rollbacks",
                              Prefetch("test_evidence", queryset=TestEvidence.objects.order_by("recorded_at", "id")),
                              Prefetch("approval_slots", queryset=ApprovalSlot.objects
                                       .select_related("decided_by", "on_behalf_of").order_by("id")))
            .order_by("id"))


def check_change(subject: Subject, rules: Iterable[Rule] | None = None) -> list[Violation]:
    found = []
    for item in rules or RULES:
        found += [Violation(subject.change.pk, item.name, item.policy, message) for message in item.check(subject)]
    return found


def subjects(change_ids: Iterable[int] | None = None, *, batch_size: int = 500) -> Iterable[Subject]:
    """Every change (or those named), with its ledger entries, in batches of `batch_size`."""
    queryset = _queryset()
    if change_ids is not None:
        queryset = queryset.filter(pk__in=list(change_ids))
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        batch = list(queryset.filter(pk__in=ids[start:start + batch_size]))
        entries = defaultdict(list)
        for entry in (LedgerEntry.objects.filter(subject__in=[f"{SUBJECT_PREFIX}{c.pk}" for c in batch])
                      .select_related("actor").order_by("seq")):
            entries[entry.subject].append(entry)
        for change in batch:
            yield Subject(change, entries[f"{SUBJECT_PREFIX}{change.pk}"])


def check_all(change_ids: Iterable[int] | None = None, *, with_ledger: bool = True) -> list[Violation]:
    """Every rule over every change (or those named), then the ledger's own verification."""
    found = []
    for subject in subjects(change_ids):
        found += check_change(subject)
    if with_ledger:
        found += ledger_violations()
    return found


def catalogue() -> list[tuple[str, str, str]]:
    """(name, POLICY reference, summary) of every rule, for the command's listing and the README."""
    return [(r.name, r.policy, r.doc) for r in RULES] + [
        (LEDGER_RULE.name, LEDGER_RULE.policy, ledger_violations.__doc__.strip())]
