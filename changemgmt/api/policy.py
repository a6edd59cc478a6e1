"""The policy settings over the API: every key with its value, policy reference and description;
administrators change one value through changemgmt.policy_services.update_setting (the admin's door too), which
checks it against changemgmt.policy_schema, bumps the revision and writes one ledger entry, or writes
nothing and answers the schema's message on `value`."""
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from changemgmt import policy, policy_services
from changemgmt.api.permissions import AdministratorsWrite
from changemgmt.api.schema import FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from changemgmt.api.strict import Json
from changemgmt.models import PolicySetting
from changemgmt.policy_defaults import DEFAULTS

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}


@extend_schema_serializer(examples=[OpenApiExample("A setting", response_only=True, value={
    "key": "webhooks.disable_after_days", "value": 5, "reference": "POLICY §10 webhooks",
    "description": "Days of failed deliveries after which a webhook subscription is disabled."})])
class PolicySettingSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField(help_text="The value in force (the shipped default until an administrator "
                                            "changes it).")
    reference = serializers.CharField(help_text="The policy section the setting implements.")
    description = serializers.CharField()


@extend_schema_serializer(examples=[OpenApiExample("A new value", request_only=True, value={"value": 7})])
class PolicyValueInput(serializers.Serializer):
    value = Json(help_text="The new value, of the same JSON shape as the current one.")


def _row(key: str) -> dict:
    _default, reference, description = DEFAULTS[key]
    return {"key": key, "value": policy.get(key), "reference": reference, "description": description}


UPDATE = {"request": PolicyValueInput,
          "responses": {200: PolicySettingSerializer, 400: FIELD_ERRORS, **READ_ERRORS},
          "description": "Replace one setting's value (administrators). A value the policy schema refuses is "
                         "answered 400 with its messages on `value`, and nothing is written."}


@extend_schema_view(
    list=extend_schema(operation_id="policy_list", responses={200: PolicySettingSerializer(many=True),
                                                              403: FORBIDDEN}),
    retrieve=extend_schema(operation_id="policy_retrieve", responses={200: PolicySettingSerializer, **READ_ERRORS}),
    update=extend_schema(operation_id="policy_update", **UPDATE),
    partial_update=extend_schema(operation_id="policy_partial_update", **UPDATE),
)
class PolicyViewSet(viewsets.GenericViewSet):
    permission_classes = [AdministratorsWrite]
    serializer_class = PolicySettingSerializer
    queryset = PolicySetting.objects.none()  # for schema introspection; values come from changemgmt.policy
    pagination_class = None
    lookup_field = "key"
    lookup_value_regex = "|".join(DEFAULTS)  # an unknown key matches no route: the API's JSON 404

    def list(self, request):
        return Response([_row(key) for key in DEFAULTS])

    def retrieve(self, request, key):
        return Response(_row(key))

    def update(self, request, key):
        body = PolicyValueInput(data=request.data)
        body.is_valid(raise_exception=True)
        policy_services.update_setting(key=key, value=body.validated_data["value"], actor=request.user)
        return Response(_row(key))

    def partial_update(self, request, key):
        """The value is the only writable field, so PATCH replaces it as PUT does."""
        return self.update(request, key)
