"""The shape of a JSON request body, checked before it reaches a service.

Services validate values with Django forms, which were made for HTML posts: a form's CharField turns
a JSON object into the text "{'a': 1}" and accepts it, and a service that takes plain arguments
(approvals.services.decide) would crash on a number where it expects text. JSON can carry shapes an
HTML form never can, so the API alone checks shapes here — object, list or scalar per field, and no
NUL characters anywhere (PostgreSQL cannot store them) — and leaves every value rule to the service.
"""
from django import forms
from django.core.exceptions import ValidationError

SCALAR = "scalar"
TEXT = "text"
LIST = "list"
OBJECT = "object"

_SCALARS = (str, int, float, bool, type(None))
_MESSAGES = {
    SCALAR: "Expected a single value, not a list or an object.",
    TEXT: "Expected text.",
    LIST: "Expected a list of values.",
    OBJECT: "Expected an object.",
}
NUL_MESSAGE = "Null characters are not allowed."


def shapes_of_form(form_class, **extra: str) -> dict[str, str]:
    """The JSON shape each field of a form expects: a list for multiple choices, else one value."""
    shapes = {}
    for name, field in form_class.base_fields.items():
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        shapes[name] = LIST if multiple else SCALAR
    shapes.update(extra)
    return shapes


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    return False


def _fits(value, shape: str) -> bool:
    if shape == TEXT:
        return isinstance(value, str | type(None))
    if shape == SCALAR:
        return isinstance(value, _SCALARS)
    if shape == LIST:
        return isinstance(value, list) and all(isinstance(item, _SCALARS) for item in value)
    return isinstance(value, dict) and all(isinstance(item, _SCALARS) for item in value.values())


def checked_body(data, shapes: dict[str, str], *, reject_unknown: bool = False) -> dict:
    """Return the body as a plain dict, or raise ValidationError naming every ill-shaped field.

    Unknown keys are the service's to report (its form knows what it accepts), unless the service
    takes no dict at all (`reject_unknown=True`)."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["The request body must be a JSON object."]})
    errors = {}
    for key, value in data.items():
        shape = shapes.get(key)
        if _has_nul(key) or _has_nul(value):
            errors[key] = [NUL_MESSAGE]
        elif shape is None:
            if reject_unknown:
                errors[key] = ["Unknown field."]
        elif not _fits(value, shape):
            errors[key] = [_MESSAGES[shape]]
    if errors:
        raise ValidationError(errors)
    return dict(data)
