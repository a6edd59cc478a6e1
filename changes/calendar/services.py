"""Writes to the change calendar: deployment windows, freezes and feed tokens. Pages, the API and the
admin all call these, so every edit is validated, permission-checked and recorded in the ledger.

Announcing a freeze puts the scheduled changes it catches on hold (a change ready to deploy goes
back to testing through the `hold` transition) and tells each owner ("freeze.caught_change").
"""
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from changemgmt import events, ledger
from changemgmt.refusals import logged_refusals
from changes.calendar import rules
from changes.calendar.choices import FreezeKind
from changes.calendar.forms import FreezeForm, WindowForm
from changes.calendar.models import CalendarFeedToken, DeploymentWindow, Freeze
from changes.choices import ChangeType, State
from changes.forms import reject_unknown
from changes.models import ChangeRequest
from changes.services import run_transition

# Changes a freeze catches: planned and not yet deployed.
CATCHABLE_STATES = [State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY]


def _validated(form_class, data, *, instance=None):
    reject_unknown(form_class, data)
    form = form_class(data=data, instance=instance)
    if not form.is_valid():
        raise ValidationError({name: [e["message"] for e in errors]
                               for name, errors in form.errors.get_json_data().items()})
    return form


def _window_payload(window) -> dict:
    return {"weekday": window.weekday, "starts": window.starts, "ends": window.ends, "risks": window.risks}


@logged_refusals("calendar.window_save")
def save_window(*, actor, data, window_id=None) -> DeploymentWindow:
    """Create or edit a window. End before start and overlaps with a window sharing a risk are refused."""
    if not rules.can_edit_windows(actor):
        raise PermissionDenied("Only an administrator or the CAB chair may edit deployment windows.")
    with transaction.atomic():
        instance = DeploymentWindow.objects.select_for_update().get(pk=window_id) if window_id else None
        before = _window_payload(instance) if instance else None
        if instance is not None:
            data = {**_window_payload(instance), **{k: data[k] for k in data}}
        # Serialise window edits so two concurrent edits cannot create an overlap between them.
        list(DeploymentWindow.objects.select_for_update().values_list("pk", flat=True))
        window = _validated(WindowForm, data, instance=instance).save()
        ledger.append(actor=actor, action="calendar.window_saved", subject=window,
                      payload={"before": before, "after": _window_payload(window)})
        return window


@logged_refusals("calendar.window_delete")
def delete_window(*, actor, window_id) -> None:
    if not rules.can_edit_windows(actor):
        raise PermissionDenied("Only an administrator or the CAB chair may edit deployment windows.")
    with transaction.atomic():
        window = DeploymentWindow.objects.select_for_update().get(pk=window_id)
        ledger.append(actor=actor, action="calendar.window_deleted", subject=window, payload=_window_payload(window))
        window.delete()


@dataclass
class FreezePreview:
    freeze: Freeze  # unsaved, or saved once announced
    service_ids: list[int]
    caught: list[ChangeRequest]


def _caught(freeze: Freeze, service_ids: list[int]) -> list[ChangeRequest]:
    """Scheduled, non-emergency changes whose planned time overlaps the freeze and whose services it covers."""
    found = (ChangeRequest.objects.filter(state__in=CATCHABLE_STATES, planned_start__lt=freeze.ends_at,
                                          planned_end__gt=freeze.starts_at)
             .exclude(change_type=ChangeType.EMERGENCY))
    if service_ids:
        found = found.filter(Q(services__in=service_ids) | Q(configuration_items__service__in=service_ids))
    return list(found.select_related("owner", "requester").prefetch_related("services").distinct()
                .order_by("planned_start", "id"))


def preview_freeze(*, actor, data) -> FreezePreview:
    """What announcing this freeze would do: the validated freeze and the changes it would catch."""
    if not rules.can_announce_freeze(actor):
        raise PermissionDenied("Your roles do not allow announcing freezes.")
    form = _validated(FreezeForm, data)
    freeze = form.save(commit=False)
    service_ids = [s.pk for s in form.cleaned_data["services"]]
    return FreezePreview(freeze, service_ids, _caught(freeze, service_ids))


@logged_refusals("calendar.freeze_announce")
def announce_freeze(*, actor, data) -> FreezePreview:
    """Save a freeze, put the changes it catches on hold and tell their owners."""
    with transaction.atomic():
        preview = preview_freeze(actor=actor, data=data)
        freeze = preview.freeze
        freeze.created_by = actor
        freeze.save()
        freeze.services.set(preview.service_ids)
        ledger.append(actor=actor, action="calendar.freeze_announced", subject=freeze, payload={
            "name": freeze.name, "reason": freeze.reason, "kind": freeze.kind, "starts_at": freeze.starts_at,
            "ends_at": freeze.ends_at, "services": preview.service_ids,
            "caught": [c.reference for c in preview.caught]})
        kind = FreezeKind(freeze.kind).label
        for change in preview.caught:
            held = change.state == State.READY
            if held:
                run_transition(change_id=change.pk, name="hold", actor=actor, automatic=True,
                               data={"reason": f"Caught by the {kind.lower()} freeze “{freeze.name}”: {freeze.reason}"})
            events.publish("freeze.caught_change", actor=actor, freeze_id=freeze.pk, change_id=change.pk,
                           owner_id=change.owner_id or change.requester_id, held=held)
        return preview


def issue_feed_token(*, actor) -> tuple[CalendarFeedToken, str]:
    """A new secret feed URL for `actor`, revoking the previous one. The secret is returned once."""
    if not rules.can_view_calendar(actor):
        raise PermissionDenied("You need a changemgmt role to subscribe to the calendar.")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeedToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        token = CalendarFeedToken.objects.create(user=actor, token_hash=hash_feed_secret(secret))
        ledger.append(actor=actor, action="calendar.feed_token_issued", subject=token, payload={})
    return token, secret


def revoke_feed_token(*, actor) -> int:
    """Revoke the actor's feed URL; the old URL answers 404 from now on."""
    with transaction.atomic():
        count = CalendarFeedToken.objects.select_for_update().filter(
            user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if count:
            ledger.append(actor=actor, action="calendar.feed_token_revoked", subject=f"user:{actor.pk}", payload={})
    return count


def hash_feed_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
