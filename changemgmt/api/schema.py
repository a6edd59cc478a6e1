"""OpenAPI documentation helpers: the error bodies every endpoint answers with, and request schemas
derived from the Django forms the services validate with (so the documented fields cannot drift
from the accepted ones, and no validation rule is written twice).

Nothing here validates input: these serializers only describe bodies for drf-spectacular.
"""
import copy

from django import forms
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from changemgmt.api.idempotency import OWN_KEY_PATHS


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents `Authorization: Bearer cm_<prefix>_<secret>` (changemgmt.api.authentication)."""

    target_class = "changemgmt.api.authentication.ApiTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "cm_<prefix>_<secret>",
                "description": "A revocable API token; only its SHA-256 is stored."}


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused.")


class MissingItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable identifier of the unmet condition.")
    message = serializers.CharField(help_text="The condition, in a sentence for people.")
    policy = serializers.CharField(help_text="The policy section that requires it.")


class GateRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    transition = serializers.CharField(required=False, help_text="The refused transition (gate refusals only).")
    missing = MissingItemSerializer(many=True, required=False,
                                    help_text="Every item the gate still misses (gate refusals only).")


FIELD_ERRORS = OpenApiResponse(
    {"type": "object", "properties": {"detail": {"type": "string"}},
     "additionalProperties": {"type": "array", "items": {"type": "string"}},
     "example": {"title": ["This field is required."], "colour": ["Unknown field."]}},
    description="Invalid input: an object whose keys name the offending fields (unknown fields included), "
                "each with its messages; `non_field_errors` or `detail` when no single field is at fault.",
)
FORBIDDEN = OpenApiResponse(DetailSerializer, description="Your roles do not allow this (the reason is in `detail`).")
NOT_FOUND = OpenApiResponse(DetailSerializer, description="No such object.")
CONFLICT = OpenApiResponse(
    GateRefusedSerializer,
    description="Refused: the transition's gate does not hold (`missing` lists every item with its policy), "
                "or the object moved on (already decided, wrong state; only `detail`).",
)
WRITE_ERRORS = {400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}


def _schema_field(field: forms.Field) -> serializers.Field:
    common = {"required": False, "help_text": str(field.label or "") or None}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.MultipleChoiceField):
        choices = [(value, str(label)) for value, label in field.choices]
        child = serializers.ChoiceField(choices=choices) if choices else serializers.CharField()
        return serializers.ListField(child=child, **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(allow_null=True, **common)
    if isinstance(field, forms.ChoiceField):
        # (value, label) pairs as the models declare them, so equal choice sets share one enum.
        choices = [(value, str(label)) for value, label in field.choices if value != ""]
        if choices:
            return serializers.ChoiceField(choices=choices, allow_blank=not field.required, **common)
        return serializers.CharField(allow_blank=True, **common)
    if isinstance(field, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=True, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=True, **common)
    if isinstance(field, forms.TimeField):
        return serializers.TimeField(allow_null=True, **common)
    if isinstance(field, forms.URLField):
        return serializers.URLField(allow_blank=True, max_length=field.max_length, **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(**common)
    return serializers.CharField(allow_blank=True, max_length=getattr(field, "max_length", None), **common)


def request_schema(form_class, name: str, *, required=(), doc: str = "", **extra: serializers.Field):
    """A serializer class describing the JSON body `form_class` accepts. Fields whose choices come
    from editable policy are documented as free codes; the service reports any that is not allowed."""
    attrs = {key: _schema_field(field) for key, field in form_class.base_fields.items()}
    for key in required:
        attrs[key].required = True
    attrs.update(extra)
    attrs["__doc__"] = doc or form_class.__doc__ or f"Input of {name}."
    attrs["__module__"] = __name__
    return type(name, (serializers.Serializer,), attrs)


class ReadModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose read-only fields keep the model's blank: DRF drops `allow_blank` from
    fields listed in `read_only_fields`, so the schema would promise an enum value where the answer
    may be "" (a change not scored yet has risk_level "")."""

    # The fields DRF builds from the model and Meta, once per serializer class: they depend on neither
    # the instance nor the context, and building them was ~40 % of an API detail request. Each
    # serializer gets a deep copy (fresh, unbound fields), as DRF does with declared fields.
    _built_fields: dict[type, dict] = {}

    def get_fields(self):
        built = ReadModelSerializer._built_fields.get(type(self))
        if built is None:
            built = ReadModelSerializer._built_fields[type(self)] = super().get_fields()
        return copy.deepcopy(built)

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank:
            kwargs["allow_blank"] = True
        return kwargs


IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header", "name": "Idempotency-Key", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": "Makes a retry safe (changemgmt.api.idempotency): the same key with the same request (method, "
                   "path and body) within IDEMPOTENCY_KEY_TTL_HOURS (24) gets the first successful answer again, "
                   "with `Idempotent-Replayed: true`, and writes nothing; keys are per user. 1 to 255 visible "
                   "ASCII characters, e.g. a UUID.",
}
_DETAIL_BODY = {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}},
                                                "required": ["detail"]}}}
_IDEMPOTENCY_RESPONSES = {
    "400": {"description": "Invalid input, or an Idempotency-Key header that breaks its rule (named in the body).",
            "content": {"application/json": {"schema": {
                "type": "object", "required": ["detail"],
                "properties": {"detail": {"type": "string"},
                               "Idempotency-Key": {"type": "array", "items": {"type": "string"}}}}}}},
    "409": {"description": "A request with this Idempotency-Key is still in progress (`Retry-After`).",
            "content": _DETAIL_BODY},
    "422": {"description": "This Idempotency-Key was first used for another request (method, path or body): "
                           "one key names one request.", "content": _DETAIL_BODY},
}


def add_idempotency_key(result, generator, request, public):
    """drf-spectacular postprocessing hook: every POST operation takes the optional `Idempotency-Key`
    header and may answer 409 (that key's first request still running) or 422 (key reused for another
    request); a POST that documents its own 400 or 409 keeps it, the key's refusals fit both. A POST that is
    idempotent by its own key (`OWN_KEY_PATHS`) is left as it is."""
    for path, operations in result.get("paths", {}).items():
        post = operations.get("post")
        if post is None or path in OWN_KEY_PATHS:
            continue
        post.setdefault("parameters", []).append(copy.deepcopy(IDEMPOTENCY_KEY_PARAMETER))
        for status, response in _IDEMPOTENCY_RESPONSES.items():
            post.setdefault("responses", {}).setdefault(status, copy.deepcopy(response))
    return result
