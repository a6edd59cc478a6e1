"""Writes to the change calendar: deployment windows, freezes and feed tokens. Pages, the API and the
admin all call these, so every edit is validated, permission-checked and recorded in the ledger.

Announcing a freeze puts the scheduled changes it catches on hold (a change ready to deploy goes
back to testing through the `hold` transition) and tells each owner ("freeze.caught_change").
Lifting one ends it now and tells the owners of the changes it still catches ("freeze.lifted"); a
change it held stays in testing and moves on through the test gate as any other.
"""
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from changemgmt import events, ledger
from changemgmt.errors import Conflict
from changemgmt.refusals import logged_refusals
from changes.calendar import conflicts, rules
from changes.calendar.choices import FreezeKind
from changes.calendar.conflicts import SCHEDULED_STATES, overlapping, prefetched, touches
from changes.calendar.forms import FreezeForm, LiftFreezeForm, WindowForm
from changes.calendar.models import CalendarFeedToken, ChangeConflict, DeploymentWindow, Freeze
from changes.choices import ChangeType, State
from changes.forms import reject_unknown
from changes.models import ChangeRequest
from changes.services import run_transition

# Changes a freeze catches: planned and not yet deployed.
CATCHABLE_STATES = [State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY]


def _validated(form_class, data, *, instance=None):
    reject_unknown(form_class, data)
    form = form_class(data=data, **({} if instance is None else {"instance": instance}))
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


def _caught(starts_at, ends_at, service_ids: list[int]) -> list[ChangeRequest]:
    """Scheduled, non-emergency changes whose planned time overlaps [starts_at, ends_at) and whose
    services a freeze on `service_ids` (empty: every service) covers."""
    found = (ChangeRequest.objects.filter(state__in=CATCHABLE_STATES, planned_start__lt=ends_at,
                                          planned_end__gt=starts_at)
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
    return FreezePreview(freeze, service_ids, _caught(freeze.starts_at, freeze.ends_at, service_ids))


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


@dataclass
class LiftedFreeze:
    freeze: Freeze
    told: list[ChangeRequest]  # the scheduled changes it still caught, whose owners are told


@logged_refusals("calendar.freeze_lift")
def lift_freeze(*, actor, freeze_id: int, reason) -> LiftedFreeze:
    """End an announced freeze now, for a reason. The changes it still catches (planned in what was
    left of it) are not moved; their owners hear that the freeze is lifted. A freeze already lifted
    or over is refused (Conflict)."""
    if not rules.can_lift_freeze(actor):
        raise PermissionDenied("Your roles do not allow lifting freezes.")
    reason = _validated(LiftFreezeForm, {"reason": reason}).cleaned_data["reason"]
    with transaction.atomic():
        freeze = Freeze.objects.select_for_update().get(pk=freeze_id)
        now = timezone.now()
        if freeze.lifted_at is not None:
            raise Conflict(f"The freeze “{freeze.name}” was already lifted.")
        if freeze.ends_at <= now:
            raise Conflict(f"The freeze “{freeze.name}” is already over.")
        service_ids = list(freeze.services.values_list("pk", flat=True))
        told = _caught(max(now, freeze.starts_at), freeze.ends_at, service_ids)
        freeze.lifted_at, freeze.lifted_by, freeze.lift_reason = now, actor, reason
        freeze.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        ledger.append(actor=actor, action="calendar.freeze_lifted", subject=freeze, payload={
            "name": freeze.name, "kind": freeze.kind, "reason": reason, "starts_at": freeze.starts_at,
            "ends_at": freeze.ends_at, "lifted_at": now, "told": [c.reference for c in told]})
        for change in told:
            events.publish("freeze.lifted", actor=actor, freeze_id=freeze.pk, change_id=change.pk,
                           owner_id=change.owner_id or change.requester_id)
    return LiftedFreeze(freeze, told)


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


# Conflicts [POLICY §6], recomputed inside the saving transaction (changes.calendar.conflicts finds them).

def recompute_conflicts(*, change_id: int, actor=None) -> list[ChangeConflict]:
    """Bring the stored conflicts of one change up to date; return the newly detected ones.
    Runs inside the caller's transaction; publishes "change.conflict_detected" for each new one."""
    change = prefetched(ChangeRequest.objects.select_related("owner")).get(pk=change_id)
    existing = {(c.change_id, c.other_id): c for c in ChangeConflict.objects.filter(Q(change=change) | Q(other=change))}
    wanted = {}
    if change.state in SCHEDULED_STATES and change.planned_start and change.planned_end:
        my_services, my_items = touches(change)
        rows = overlapping(start=change.planned_start, end=change.planned_end, service_ids=my_services,
                           exclude_id=change.pk)
        others = prefetched(ChangeRequest.objects.select_related("owner")).filter(pk__in=[r[0] for r in rows])
        for other in (others if rows else []):
            services, items = touches(other)
            pair = tuple(sorted((change.pk, other.pk)))
            wanted[pair] = (other, {
                "services": sorted(my_services[s] for s in set(my_services) & set(services)),
                "items": sorted(my_items[i] for i in set(my_items) & set(items)),
            }, max(change.planned_start, other.planned_start), min(change.planned_end, other.planned_end))
    stale = [c for pair, c in existing.items() if pair not in wanted]
    if stale:
        ChangeConflict.objects.filter(pk__in=[c.pk for c in stale]).delete()
        ledger.append(actor=actor, action="change.conflicts_cleared", subject=change,
                      payload={"with": sorted(c.other_id if c.change_id == change.pk else c.change_id for c in stale)})
    created = []
    for pair, (other, shared, overlap_start, overlap_end) in wanted.items():
        row = existing.get(pair)
        if row is not None:
            if (row.shared, row.overlap_start, row.overlap_end) != (shared, overlap_start, overlap_end):
                row.shared, row.overlap_start, row.overlap_end = shared, overlap_start, overlap_end
                row.save(update_fields=["shared", "overlap_start", "overlap_end"])
            continue
        row = ChangeConflict.objects.create(change_id=pair[0], other_id=pair[1], shared=shared,
                                            overlap_start=overlap_start, overlap_end=overlap_end)
        created.append(row)
        ledger.append(actor=actor, action="change.conflict_detected", subject=change, payload={
            "other": other.reference, "shared": shared, "overlap_start": overlap_start, "overlap_end": overlap_end})
        events.publish("change.conflict_detected", actor=actor, conflict_id=row.pk, change_id=change.pk,
                       other_id=other.pk, owner_ids=sorted({u for u in (change.owner_id or change.requester_id,
                                                                        other.owner_id or other.requester_id)}),
                       shared=shared)
    return created


def _on_change_event(*, actor=None, change_id, fields=None, **_):
    if fields is not None and {"planned_start", "planned_end"} & set(fields):
        ChangeRequest.objects.filter(pk=change_id).update(schedule_sequence=F("schedule_sequence") + 1)
    recompute_conflicts(change_id=change_id, actor=actor)


def connect_conflicts():
    """Recompute a change's conflicts on each of conflicts.TOPICS (changes/subscribers.py calls this once)."""
    for topic in conflicts.TOPICS:
        events.subscribe(topic, _on_change_event)
