"""What every service of a change shares: the locked row, validation by the service's form, the
ledger snapshot, and the result of a save with its notices."""
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from changes.forms import reject_unknown
from changes.models import ChangeRequest


@dataclass
class Saved:
    change: ChangeRequest
    notices: list[str] = field(default_factory=list)


def _validated(form_class, data, *, instance=None, extra_keys=frozenset()):
    """Validate input with its form; errors come back keyed by field name."""
    reject_unknown(form_class, data, extra=extra_keys)
    form = form_class(data=data, instance=instance) if instance is not None else form_class(data=data)
    if not form.is_valid():
        raise ValidationError({name: [error["message"] for error in errors]
                               for name, errors in form.errors.get_json_data().items()})
    return form


def _lock(change_id) -> ChangeRequest:
    try:
        return ChangeRequest.objects.select_for_update().get(pk=change_id)
    except ChangeRequest.DoesNotExist as exc:
        raise ChangeRequest.DoesNotExist(f"No change with id {change_id}") from exc


def _snapshot(change) -> dict:
    return {"reference": change.reference, "state": change.state, "type": change.change_type,
            "risk_level": change.risk_level}
