"""Reads for pages and the API, each in a fixed number of queries whatever the row count."""
from typing import NamedTuple

from django.db.models import Prefetch, Q

from approvals.models import ApprovalSlot
from changemgmt.models import LedgerEntry
from changes.models import ChangeRequest, TestEvidence

# What a row of a change list shows (web list, dashboard, API list): loading only these columns halves
# the time to build 50 rows (bench/README.md). A field missing here would cost a query per row, which
# the query-count tests catch.
ROW_FIELDS = ("id", "title", "state", "change_type", "category", "risk_level", "planned_start", "planned_end",
              "created_at", "updated_at", "owner", "requester", "external_source", "external_key")
PERSON_FIELDS = ("id", "username", "first_name", "last_name")


def change_list():
    """Whole changes with owner, requester and services in 2 queries, for code that needs one change in full."""
    return (ChangeRequest.objects.select_related("owner", "requester", "team", "template")
            .prefetch_related("services"))


def change_rows():
    """Rows for the change lists (web, dashboard, API): only the columns a row shows, owner and
    requester joined. Cut the page, then pass it to `with_services`."""
    return (ChangeRequest.objects.select_related("owner", "requester")
            .only(*ROW_FIELDS, *(f"{who}__{name}" for who in ("owner", "requester") for name in PERSON_FIELDS)))


class ServiceLink(NamedTuple):
    """A service as a list row shows it: what the row template and the API row read, no model object."""

    pk: int
    name: str
    criticality: str


def with_services(changes):
    """Set `service_list` (by name, ServiceLink tuples) on each change, in one query.
    prefetch_related("services") does the same but builds a manager and a queryset per row: 2-3x the
    time for a 50-row page; a tuple per link instead of a model instance halves what is left."""
    changes = list(changes)
    found = {change.pk: [] for change in changes}
    if found:
        through = ChangeRequest.services.through
        pairs = (through.objects.filter(changerequest_id__in=list(found)).order_by("service__name", "service_id")
                 .values_list("changerequest_id", "service_id", "service__name", "service__criticality"))
        for change_id, service_id, name, criticality in pairs:
            found[change_id].append(ServiceLink(service_id, name, criticality))
    for change in changes:
        change.service_list = found[change.pk]
    return changes


def change_detail_queryset():
    """One change with everything its page and API detail show."""
    return (ChangeRequest.objects.select_related("owner", "requester", "team", "template", "risk_override_by")
            .prefetch_related(
                "services",
                Prefetch("approval_slots",
                         queryset=ApprovalSlot.objects.select_related("decided_by", "on_behalf_of").order_by("id")),
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
    return (change_rows().filter(approval_slots__status=SlotStatus.PENDING, approval_slots__role__in=slot_roles)
            .exclude(Q(requester=user) | Q(owner=user)).distinct())
