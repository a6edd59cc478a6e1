"""Delegation while away: whose approval roles a person may use today, and who may end a delegation
(recording and revoking one is approvals.services.delegation)."""
from datetime import date

from django.db.models import Q, prefetch_related_objects
from django.utils import timezone

from approvals.choices import SLOT_HOLDERS
from approvals.models import Delegation
from changemgmt import clock
from changemgmt.compiled import CompiledQuery
from changemgmt.roles import Role, has_role, roles_of


def today() -> date:
    return clock.local(timezone.now()).date()


def active_delegators(user, on: date | None = None) -> list:
    """People who delegated their approvals to `user` for `on` (default: today), not revoked."""
    return _delegators_of(_ACTIVE.on(on or today()).objects(user.pk))


def _delegators_of(rows) -> list:
    prefetch_related_objects(rows, "delegator__groups")
    return [row.delegator for row in rows if row.delegator.is_active]


def both_ways(user) -> tuple[list, list]:
    """(active_delegators(user), the delegations `user` gave that are not over or revoked), soonest first,
    from one query: My approvals shows both at every request."""
    on = today()
    rows = _BOTH_WAYS.on(on).objects(user.pk)
    received = [row for row in rows if row.delegate_id == user.pk and row.starts_on <= on]  # _ACTIVE's rows
    return _delegators_of(received), [row for row in rows if row.delegator_id == user.pk]


class _Daily:
    """A query of a person (the value) on one day, compiled once per process and day: My approvals reads
    the delegations to and from the user at every request, and building them was ~1.5 ms of it."""

    def __init__(self, build):
        self.build, self.current = build, (None, None)  # (day, CompiledQuery), replaced in one assignment

    def on(self, day: date) -> CompiledQuery:
        known_day, compiled = self.current
        if known_day != day:
            compiled = CompiledQuery(lambda pk: self.build(pk, day))
            self.current = (day, compiled)
        return compiled


_ACTIVE = _Daily(lambda pk, on: Delegation.objects.filter(delegate=pk, revoked_at__isnull=True, starts_on__lte=on,
                                                          ends_on__gte=on)
                 .select_related("delegator").order_by("starts_on", "id"))
_BOTH_WAYS = _Daily(lambda pk, on: Delegation.objects.filter(Q(delegate=pk, starts_on__lte=on) | Q(delegator=pk),
                                                             revoked_at__isnull=True, ends_on__gte=on)
                    .select_related("delegator", "delegate").order_by("starts_on", "id"))


def acting_for(user, slot, delegators=None):
    """The delegator whose role lets `user` decide `slot`, or None (the user holds it themselves, or
    nobody delegated a fitting role)."""
    if not roles_of(user).isdisjoint(SLOT_HOLDERS[slot.role]):
        return None
    for delegator in delegators if delegators is not None else active_delegators(user):
        if {g.name for g in delegator.groups.all()} & set(SLOT_HOLDERS[slot.role]):
            return delegator
    return None


def overlapping(user, on: date):
    return Delegation.objects.filter(Q(delegator=user) | Q(delegate=user), revoked_at__isnull=True,
                                     starts_on__lte=on, ends_on__gte=on)


def may_revoke(user, row: Delegation) -> bool:
    """The delegator ends their own delegation; an administrator may end anyone's. Never an auditor."""
    if has_role(user, Role.AUDITOR):
        return False
    return user.pk == row.delegator_id or has_role(user, Role.ADMINISTRATOR)
