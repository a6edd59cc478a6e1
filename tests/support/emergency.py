"""Builders for emergency-change tests: an emergency change waiting for its go-ahead, a verbal
authorization (confirmed by the authorizer when someone else records it), and a deployment."""
from datetime import datetime, timedelta

from changes import services
from changes.emergency.services import record_verbal_authorization
from tests.support import factories as f
from tests.support import lifecycle as life

NIGHT = datetime(2026, 11, 24, 2, 0, tzinfo=f.NY)  # Tuesday 02:00, after hours


def emergency_change(requester, *, risk=f.HIGH_RISK, **overrides):
    """An emergency change, submitted and scored, waiting for its go-ahead."""
    from django.utils import timezone

    start = timezone.now() + timedelta(minutes=10)
    change = life.filed(requester, change_type="emergency", emergency_criterion="production_down",
                        planned_start=start.isoformat(), planned_end=(start + timedelta(hours=1)).isoformat(),
                        **overrides)
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    if risk:
        services.score_risk(change_id=change.pk, actor=requester, data=risk)
    return f.reload(change)


def deploy(change, actor):
    return services.run_transition(change_id=change.pk, name="deploy", actor=actor, data={
        "predeploy_checklist": life.ALL_CHECKLIST, "deployment_method": "canary"})


def authorize(change, actor, authorizer, role, how="phone", **extra):
    """Record a verbal authorization; when `actor` is not the authorizer, the authorizer confirms it by
    the link they were sent (changes.emergency.services.confirmation)."""
    from changes.emergency.models import AuthorizationRequest
    from changes.emergency.services import confirmation as emergency_confirmation

    result = record_verbal_authorization(change_id=change.pk, actor=actor, authorizer_id=authorizer.pk, role=role,
                                         how=how, **extra)
    if isinstance(result, AuthorizationRequest):
        return emergency_confirmation.confirm(token=emergency_confirmation.token_for(result), actor=authorizer)
    return result


def deployed_emergency(author, cto, **kwargs):
    change = emergency_change(author, **kwargs)
    authorize(change, author, cto, "cto")
    return deploy(change, author)
