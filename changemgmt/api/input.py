"""The shape of a JSON request body, checked before it reaches a service.

Services validate values with Django forms, which were made for HTML posts: a form's CharField turns
a JSON object into the text "{'a': 1}" and accepts it, a DateTimeField crashes on the number 5, and a
ModelChoiceField reads `true` as the id 1. JSON can carry shapes an HTML form never can, so the API
alone checks shapes here — text, whole number, id, boolean, list or object per field, date-times that
exist and are in range, and no NUL characters anywhere (PostgreSQL cannot store them) — and leaves
every value rule to the service.
"""
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

SCALAR = "scalar"
TEXT = "text"
DATETIME = "datetime"
DATE = "date"
INTEGER = "integer"
ID = "id"
BOOLEAN = "boolean"
LIST = "list"
IDS = "ids"
OBJECT = "object"

# Dates a change calendar can plan, store and show: beyond them Python's datetime overflows when
# converted to another time zone or moved by a month (year 9999), and no change is planned there.
FIRST_YEAR, LAST_YEAR = 1900, 2999
RANGE_MESSAGE = f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}."
# Real UTC offsets run from -12:00 to +14:00; Python accepts up to a day, PostgreSQL fails past 15:59.
MAX_OFFSET = timedelta(hours=14)
OFFSET_MESSAGE = "Give a UTC offset between -14:00 and +14:00."
DATETIME_MESSAGE = "Give an ISO 8601 date-time, e.g. 2026-12-01T06:00:00-05:00."
DATE_MESSAGE = "Give a date, YYYY-MM-DD."

_SCALARS = (str, int, float, bool, type(None))
_MESSAGES = {
    SCALAR: "Expected a single value, not a list or an object.",
    TEXT: "Expected text.",
    DATETIME: "Expected a date-time as text (ISO 8601).",
    DATE: "Expected a date as text (YYYY-MM-DD).",
    INTEGER: "Expected a whole number.",
    ID: "Expected an id (a whole number).",
    BOOLEAN: "Expected true or false.",
    LIST: "Expected a list of values.",
    IDS: "Expected a list of ids (whole numbers).",
    OBJECT: "Expected an object.",
}
NUL_MESSAGE = "Null characters are not allowed."
# Ids are 64-bit integers in every database; a larger number names nothing and would overflow the query.
MAX_ID = 2 ** 63 - 1
NO_SUCH_ID_MESSAGE = "No such id."


def _shape_of_field(field: forms.Field) -> str:
    if isinstance(field, forms.ModelMultipleChoiceField):
        return IDS
    if isinstance(field, forms.MultipleChoiceField):
        return LIST
    if isinstance(field, forms.ModelChoiceField):
        return ID
    if isinstance(field, forms.ChoiceField):
        return SCALAR  # the form compares str(value) with its choices: anything else is refused there
    if isinstance(field, forms.DateTimeField):
        return DATETIME
    if isinstance(field, forms.DateField):
        return DATE
    if isinstance(field, forms.BooleanField):
        return BOOLEAN
    if isinstance(field, forms.IntegerField):
        return INTEGER
    return TEXT


def shapes_of_form(form_class, **extra: str) -> dict[str, str]:
    """The JSON shape each field of a form expects, from the field's type."""
    shapes = {name: _shape_of_field(field) for name, field in form_class.base_fields.items()}
    shapes.update(extra)
    return shapes


def in_range(moment: datetime | date) -> bool:
    """Whether the moment lies in the years a calendar handles, in UTC as well as as written."""
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            return False
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def check_moment(moment: datetime) -> None:
    """Raise ValidationError for a date-time out of range or with an offset no clock uses."""
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValidationError(OFFSET_MESSAGE)
    if not in_range(moment):
        raise ValidationError(RANGE_MESSAGE)


def parse_moment(text: str) -> datetime | None:
    """An ISO 8601 date-time in range, aware (naive ones are organisation time), or None when it does
    not look like one. Raises ValidationError for one that looks right but does not exist (month 13,
    a 25:00 hour, an offset of a day) or lies out of range."""
    try:
        moment = parse_datetime(text)
    except (ValueError, OverflowError) as exc:
        raise ValidationError(DATETIME_MESSAGE) from exc
    if moment is None:
        return None
    check_moment(moment)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date in range, or None when it does not look like one (see parse_moment)."""
    try:
        day = parse_date(text)
    except ValueError as exc:
        raise ValidationError(DATE_MESSAGE) from exc
    if day is not None and not in_range(day):
        raise ValidationError(RANGE_MESSAGE)
    return day


def has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    return False


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fits(value, shape: str) -> bool:
    if shape in (TEXT, DATETIME, DATE):
        return isinstance(value, str | type(None))
    if shape == SCALAR:
        return isinstance(value, _SCALARS)
    if shape == INTEGER:
        return _is_whole(value) or value is None
    if shape == ID:
        return _is_whole(value) or value is None
    if shape == BOOLEAN:
        return isinstance(value, bool)
    if shape == LIST:
        return isinstance(value, list) and all(isinstance(item, _SCALARS) for item in value)
    if shape == IDS:
        return isinstance(value, list) and all(_is_whole(item) for item in value)
    return isinstance(value, dict) and all(isinstance(item, _SCALARS) for item in value.values())


def _value_error(value, shape: str) -> str | None:
    """What is wrong with a well-shaped id, date or date-time text, if anything."""
    if shape in (ID, IDS):
        ids = value if isinstance(value, list) else [value]
        return NO_SUCH_ID_MESSAGE if any(i is not None and abs(i) > MAX_ID for i in ids) else None
    if not value or shape not in (DATETIME, DATE):
        return None
    try:
        (parse_moment if shape == DATETIME else parse_day)(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def checked_body(data, shapes: dict[str, str], *, reject_unknown: bool = False) -> dict:
    """Return the body as a plain dict, or raise ValidationError naming every ill-shaped field.

    Unknown keys are the service's to report (its form knows what it accepts), unless the service
    takes no dict at all (`reject_unknown=True`)."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["The request body must be a JSON object."]})
    errors = {}
    for key, value in data.items():
        shape = shapes.get(key)
        if has_nul(key) or has_nul(value):
            errors[key] = [NUL_MESSAGE]
        elif shape is None:
            if reject_unknown:
                errors[key] = ["Unknown field."]
        elif not _fits(value, shape):
            errors[key] = [_MESSAGES[shape]]
        elif problem := _value_error(value, shape):
            errors[key] = [problem]
    if errors:
        raise ValidationError(errors)
    return dict(data)
