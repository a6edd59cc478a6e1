"""Strict DRF input serializers for endpoints whose body is not one of the services' forms (CAB,
delegations): a body that is not an object, an unknown field, a number where text is expected, a
date-time out of range or a line break in a one-line title is a 400 naming the field, before any
service runs. DRF's own fields coerce numbers to text and accept any year; these do not."""
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from changemgmt.api.input import NUL_MESSAGE, RANGE_MESSAGE, has_nul, in_range, parse_moment


class StrictSerializer(serializers.Serializer):
    """Refuses unknown fields (named in the 400) as well as the declared fields' bad values."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["The request body must be a JSON object."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class Text(serializers.CharField):
    """Text only: DRF's CharField would store the number 5 as "5" and a boolean as "True"."""

    default_error_messages = {"invalid": "Expected text."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Line(Text):
    """One line of text (a title, a subject): a line break would end up in an e-mail header."""

    default_error_messages = {"line_break": "Must fit on one line (no line breaks)."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "\n" in value or "\r" in value:
            self.fail("line_break")
        return value


class Moment(serializers.DateTimeField):
    """An ISO 8601 date-time that exists and lies in the calendar's years (changemgmt.api.input)."""

    default_error_messages = {"out_of_range": RANGE_MESSAGE}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parse_moment(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        moment = super().to_internal_value(value)
        if not in_range(moment):
            self.fail("out_of_range")
        return moment


class Day(serializers.DateField):
    default_error_messages = {"out_of_range": RANGE_MESSAGE}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not in_range(day):
            self.fail("out_of_range")
        return day


def validated(serializer_class, data) -> dict:
    """The body as `serializer_class` validates it, or a 400 naming every bad field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class Json(serializers.JSONField):
    """Any JSON value but one holding a null character, which PostgreSQL's jsonb cannot store (a 500
    there instead of a 400)."""

    default_error_messages = {"nul": NUL_MESSAGE}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if has_nul(value):
            self.fail("nul")
        return value
