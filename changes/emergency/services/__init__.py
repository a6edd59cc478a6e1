"""Writes of emergency changes' verbal authorization [POLICY §7, 002 §6.3]: the entry point every
door (page, API, demo) calls. The checks live in changes.emergency.authorization, the authorizer's
confirmation link in changes.emergency.services.confirmation, the 24-hour paperwork in
changes.emergency.services.paperwork."""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from changes.emergency.authorization import check_authorizer, lock_waiting, validated
from changes.emergency.models import AuthorizationRequest, EmergencyAuthorization
from changes.emergency.rules import may_record
from changes.emergency.services import confirmation
from changes.emergency.services.authorization import write_authorization


def record_verbal_authorization(*, change_id, actor, authorizer_id, role: str, how: str, authorized_at=None,
                                notes: str = "") -> EmergencyAuthorization | AuthorizationRequest:
    """Write down a verbal go-ahead for an emergency change. The authorizer writing it themselves records
    it (an EmergencyAuthorization); anyone else gets an AuthorizationRequest the authorizer must confirm
    by following the link they are sent. 400 for bad input, 403 when the actor may not record or the
    authorizer may not authorize, 409 when the change is not waiting for one."""
    now = timezone.now()
    authorizer, moment = validated(authorizer_id=authorizer_id, role=role, how=how, authorized_at=authorized_at,
                                    notes=notes, now=now)
    with transaction.atomic():
        def check(change):
            if not may_record(actor, change):
                raise PermissionDenied("Only the change's author or owner, operations or leadership may record an "
                                       "emergency authorization.")

        change = lock_waiting(change_id, check)
        existing = check_authorizer(change, authorizer=authorizer, role=role, at=moment)
        if authorizer.pk != actor.pk:
            return confirmation.ask(change=change, actor=actor, authorizer=authorizer, role=role, how=how,
                                    at=moment, notes=notes)
        return write_authorization(change=change, authorizer=authorizer, role=role, how=how, at=moment, notes=notes,
                                   recorded_by=actor, existing=existing, actor=actor, confirmed=False)
