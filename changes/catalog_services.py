"""Writes to the service catalog: services, configuration items and pre-approved standard templates.
Conflicts, freezes, dual control and standard changes all read these rows, so they change only here:
an administrator's act, validated, kept in the row history and recorded in the ledger in the same
transaction. A refused request writes nothing and is logged (changemgmt.refusals)."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.forms.models import model_to_dict

from changemgmt import ledger
from changemgmt.refusals import logged_refusals
from changemgmt.roles import Role, has_role
from changes import risk
from changes.calendar.models import ConfigurationItem
from changes.choices import RiskLevel
from changes.models import Service, StandardTemplate

LABELS = {Service: "service", ConfigurationItem: "configuration_item", StandardTemplate: "standard_template"}


def _check_administrator(actor) -> None:
    """`actor=None` is the system itself (the demo loader); every request passes its user."""
    if actor is not None and not has_role(actor, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator edits the service catalog.")


def _payload(obj: models.Model) -> dict:
    return model_to_dict(obj, exclude=["id"])


def _check_template(template: StandardTemplate) -> None:
    """A pre-approved template carries a complete scorecard whose level is low [POLICY §1]."""
    scores = template.risk_scores
    if (not isinstance(scores, dict) or set(scores) != set(risk.FACTORS)
            or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 3 for v in scores.values())):
        raise ValidationError({"risk_scores": "Give each of " + ", ".join(risk.FACTORS) + " a score from 1 to 3."})
    if risk.band(scores) != RiskLevel.LOW:
        raise ValidationError({"risk_scores": "A standard (pre-approved) template must score low risk."})


CHECKS = {StandardTemplate: _check_template}


def _save(actor, obj: models.Model) -> models.Model:
    _check_administrator(actor)
    obj.full_clean()
    CHECKS.get(type(obj), lambda _obj: None)(obj)
    label = LABELS[type(obj)]
    with transaction.atomic():
        created = obj.pk is None
        before = None if created else _payload(type(obj).objects.select_for_update().get(pk=obj.pk))
        obj.save()
        ledger.append(actor=actor, action=f"catalog.{label}_{'created' if created else 'changed'}", subject=obj,
                      payload={"after": _payload(obj), **({} if created else {"before": before})})
    return obj


def _references(obj: models.Model) -> list[str]:
    """What still names `obj` (many-to-many links vanish silently on delete, so they are checked here)."""
    found = []
    if isinstance(obj, Service | ConfigurationItem) and obj.changes.exists():
        found.append("changes")
    if isinstance(obj, Service) and obj.freezes.exists():
        found.append("freezes")
    if isinstance(obj, Service) and obj.configuration_items.exists():
        found.append("configuration items")
    return found


def _delete(actor, obj: models.Model) -> None:
    _check_administrator(actor)
    if references := _references(obj):
        raise ValidationError(f"{obj} is still named by {' and '.join(references)} and cannot be deleted.")
    label = LABELS[type(obj)]
    try:
        with transaction.atomic():
            current = type(obj).objects.select_for_update().get(pk=obj.pk)
            ledger.append(actor=actor, action=f"catalog.{label}_deleted", subject=current, payload=_payload(current))
            current.delete()
    except ProtectedError as exc:
        raise ValidationError(f"{obj} is still referenced by changes and cannot be deleted; "
                              "deactivate or rename it instead.") from exc


@logged_refusals("catalog.service_save")
def save_service(*, actor, service: Service) -> Service:
    return _save(actor, service)


@logged_refusals("catalog.service_delete")
def delete_service(*, actor, service: Service) -> None:
    _delete(actor, service)


@logged_refusals("catalog.configuration_item_save")
def save_configuration_item(*, actor, item: ConfigurationItem) -> ConfigurationItem:
    return _save(actor, item)


@logged_refusals("catalog.configuration_item_delete")
def delete_configuration_item(*, actor, item: ConfigurationItem) -> None:
    _delete(actor, item)


@logged_refusals("catalog.standard_template_save")
def save_template(*, actor, template: StandardTemplate) -> StandardTemplate:
    return _save(actor, template)


@logged_refusals("catalog.standard_template_delete")
def delete_template(*, actor, template: StandardTemplate) -> None:
    _delete(actor, template)
