"""Writing an emergency change's verbal authorization, once every check passed under the change's lock
(changes.emergency.authorization judges it; the recording service and the confirmation link call this)."""
from changemgmt import clock, ledger
from changes.emergency.authorization import is_complete
from changes.emergency.models import EmergencyAuthorization


def write_authorization(*, change, authorizer, role, how, at, notes, recorded_by, existing, actor,
                        confirmed: bool) -> EmergencyAuthorization:
    row = EmergencyAuthorization.objects.create(change=change, authorizer=authorizer, authorizer_role=role,
                                                how=how, authorized_at=at, recorded_by=recorded_by,
                                                notes=(notes or "").strip())
    complete = is_complete({r.authorizer_role for r in existing} | {role})
    ledger.append(actor=actor, action="emergency.authorized", subject=change, payload={
        "authorizer": authorizer.username, "role": role, "how": how, "authorized_at": at,
        "business_hours": clock.is_business_hours(at), "complete": complete, "notes": row.notes,
        "recorded_by": recorded_by.username, "confirmed_by_link": confirmed,
    })
    return row
