"""Catalog bodies: the input serializers only parse a body into model fields (every rule, uniqueness
and the template's low-risk scorecard included, is changes.catalog_services'), the output ones render."""
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from changemgmt.api.input import MAX_ID
from changemgmt.api.schema import ReadModelSerializer
from changemgmt.api.strict import Json
from changes.calendar.models import ConfigurationItem
from changes.models import Service, StandardTemplate


def _reference(help_text: str, *, required: bool = True) -> serializers.IntegerField:
    """An id, bounded so no database is asked about a number it cannot hold; its existence is the service's check."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, required=required,
                                    allow_null=not required, help_text=help_text)


class ParseOnly(serializers.ModelSerializer):
    """A model serializer without its uniqueness validators: the service reports those (model.full_clean)."""

    def get_validators(self):
        return []

    def get_unique_together_validators(self):
        return []


@extend_schema_serializer(examples=[OpenApiExample("A service", response_only=True, value={
    "id": 3, "name": "payments-api", "owner_team": 2, "criticality": "high",
    "description": "Card payments and refunds."})])
class CatalogServiceSerializer(ReadModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "owner_team", "criticality", "description"]
        read_only_fields = fields


@extend_schema_serializer(examples=[OpenApiExample("A service", request_only=True, value={
    "name": "payments-api", "owner_team": 2, "criticality": "high", "description": "Card payments and refunds."})])
class CatalogServiceInput(ParseOnly):
    owner_team = _reference("Id of the owning team", required=False)

    class Meta:
        model = Service
        fields = ["name", "owner_team", "criticality", "description"]
        extra_kwargs = {"name": {"validators": []}}


@extend_schema_serializer(examples=[OpenApiExample("An item", response_only=True, value={
    "id": 11, "service": 3, "name": "payments-db-primary", "description": "PostgreSQL primary."})])
class ConfigurationItemSerializer(ReadModelSerializer):
    class Meta:
        model = ConfigurationItem
        fields = ["id", "service", "name", "description"]
        read_only_fields = fields


@extend_schema_serializer(examples=[OpenApiExample("An item", request_only=True, value={
    "service": 3, "name": "payments-db-primary", "description": "PostgreSQL primary."})])
class ConfigurationItemInput(ParseOnly):
    service = _reference("Id of the service the item belongs to")

    class Meta:
        model = ConfigurationItem
        fields = ["service", "name", "description"]


_TEMPLATE = {"name": "Rotate a TLS certificate", "description": "Replace a certificate before it expires.",
             "category": "infrastructure", "implementation_plan": "Issue, install, reload the proxy.",
             "test_plan": "Check the chain with openssl s_client.", "rollback_plan": "Reinstall the previous one.",
             "risk_scores": {"systems": 1, "users": 1, "data": 1, "reversibility": 1, "security": 1}, "active": True}


@extend_schema_serializer(examples=[OpenApiExample("A standard template", response_only=True,
                                                   value={"id": 2, **_TEMPLATE})])
class StandardTemplateSerializer(ReadModelSerializer):
    class Meta:
        model = StandardTemplate
        fields = ["id", "name", "description", "category", "implementation_plan", "test_plan", "rollback_plan",
                  "risk_scores", "active"]
        read_only_fields = fields


@extend_schema_serializer(examples=[OpenApiExample("A standard template", request_only=True, value=_TEMPLATE)])
class StandardTemplateInput(ParseOnly):
    class Meta:
        model = StandardTemplate
        fields = ["name", "description", "category", "implementation_plan", "test_plan", "rollback_plan",
                  "risk_scores", "active"]
        extra_kwargs = {"name": {"validators": []}}

    risk_scores = Json(required=False, help_text="The pre-assessed scorecard: systems, users, data, "
                                                 "reversibility, security, each 1-3 (must score low)")


FOREIGN_KEYS = {"owner_team": "owner_team_id", "service": "service_id"}


def model_fields(validated: dict) -> dict:
    """Parsed body → model attributes (ids go to their `_id` attributes)."""
    return {FOREIGN_KEYS.get(name, name): value for name, value in validated.items()}
