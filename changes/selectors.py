"""Reads for pages and the API, each in a fixed number of queries whatever the row count."""
from django.db.models import Prefetch, Q

from approvals.models import ApprovalSlot
from changemgmt.models import LedgerEntry
from changes.models import ChangeRequest, TestEvidence


def change_list():
    """Rows for the change list (web and API): owner, requester and services in 2 extra queries."""
    return (ChangeRequest.objects.select_related("owner", "requester", "team", "template")
            .prefetch_related("services"))


def change_detail_queryset():
    """One change with everything its page and API detail show."""
    return (ChangeRequest.objects.select_related("owner", "requester", "team", "template", "risk_override_by")
            .prefetch_related(
                "services",
                Prefetch("approval_slots",
                         queryset=ApprovalSlot.objects.select_related("decided_by", "decided_by__team").order_by("id")),
                Prefetch("test_evidence", queryset=TestEvidence.objects.select_related("recorded_by")
                         .order_by("-recorded_at")),
                "rollbacks",
            ))


def ledger_for(change) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(subject=f"{change._meta.label_lower}:{change.pk}").order_by("seq"))


def awaiting_action(user):
    """Changes where `user` is asked to act: their own open changes plus pending slots they may fill."""
    from approvals.choices import SLOT_HOLDERS, SlotStatus
    from changemgmt.roles import roles_of

    roles = roles_of(user)
    slot_roles = [slot_role for slot_role, holders in SLOT_HOLDERS.items() if roles & set(holders)]
    return (change_list().filter(approval_slots__status=SlotStatus.PENDING, approval_slots__role__in=slot_roles)
            .exclude(Q(requester=user) | Q(owner=user)).distinct())
