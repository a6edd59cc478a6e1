"""Create-or-update by an external reference (issue 10 §8): a ticketing tool names its ticket, not our id."""
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from changes.forms import EXTERNAL_REFERENCE, ChangeForm
from changes.models import ChangeRequest
from changes.services.common import Saved
from changes.services.editing import update_change
from changes.services.filing import create_change, create_from_template


def save_by_external_reference(*, actor, source, key, data) -> tuple[Saved, bool]:
    """The change carrying (source, key) is edited as `update_change` edits it; without one a change carrying
    the pair is filed as `create_change` files it (`create_from_template` with a `template` id). Same
    validation, same ledger entries. Returns (saved, created)."""
    data = {name: data[name] for name in data}
    for name, value in (("external_source", source), ("external_key", key)):
        if not re.match(EXTERNAL_REFERENCE[name], value):
            raise ValidationError({name: [ChangeForm.base_fields[name].error_messages["invalid"]]})
        if name in data and data.pop(name) != value:
            raise ValidationError({name: ["The path names the external reference: leave it out or repeat it."]})
    found = ChangeRequest.objects.filter(external_source=source, external_key=key).values_list("pk", flat=True)
    if not found:
        payload = {**data, "external_source": source, "external_key": key}
        template = payload.pop("template", None)
        try:
            with transaction.atomic():
                change = (create_from_template(actor=actor, template_id=template, data=payload) if template is not None
                          else create_change(actor=actor, data=payload))
            return Saved(change, getattr(change, "notices", [])), True
        except IntegrityError:  # filed by a concurrent request since: edit it instead
            pass
    if "template" in data:
        raise ValidationError({"template": ["Only when the change is filed: this external reference has one."]})
    return update_change(change_id=found.get(), actor=actor, data=data), False
