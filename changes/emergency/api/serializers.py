"""The emergency endpoints' bodies: the input serializers document what the service validates (its
refusals name the field), the output serializers render changes.emergency.selectors' finished rows."""
from datetime import UTC

from rest_framework import serializers

from changes.emergency.models import EmergencyAuthorization


class AuthorizationRequestSerializer(serializers.Serializer):
    """A verbal go-ahead for an emergency change [POLICY §7]."""

    authorizer = serializers.CharField(help_text="Username of the person who gave the go-ahead.")
    role = serializers.ChoiceField(choices=EmergencyAuthorization.ROLE_CHOICES,
                                   help_text="The capacity they authorized in.")
    how = serializers.ChoiceField(choices=EmergencyAuthorization.HOW_CHOICES)
    authorized_at = serializers.DateTimeField(required=False, help_text="When (default now; at most 24 h back).")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class AuthorizationSerializer(serializers.Serializer):
    """Renders changes.emergency.selectors.AuthorizationRow; times in UTC, as stored."""

    id = serializers.IntegerField()
    change = serializers.IntegerField()
    authorizer = serializers.CharField()
    role = serializers.ChoiceField(choices=EmergencyAuthorization.ROLE_CHOICES)
    how = serializers.ChoiceField(choices=EmergencyAuthorization.HOW_CHOICES)
    authorized_at = serializers.DateTimeField(default_timezone=UTC)
    recorded_by = serializers.CharField()
    deploy_authorized = serializers.BooleanField(help_text="Whether the authorizations so far let it deploy.")


class RootCauseRequestSerializer(serializers.Serializer):
    root_cause = serializers.CharField(help_text="The root-cause analysis (replaces an earlier draft).")


class PaperworkSerializer(serializers.Serializer):
    """The 24-hour post-hoc paperwork of one deployed emergency change (renders
    changes.emergency.selectors.PaperworkRow; times in UTC, as stored)."""

    id = serializers.IntegerField()
    change_id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    risk_level = serializers.CharField(allow_blank=True)
    owner = serializers.CharField(allow_null=True)
    deployed_at = serializers.DateTimeField(default_timezone=UTC)
    due_at = serializers.DateTimeField(default_timezone=UTC)
    clock = serializers.CharField(help_text='"due in 3 hours", "overdue by 2 hours" or "complete".')
    overdue = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True, default_timezone=UTC)
    documentation_complete = serializers.BooleanField()
    documentation_missing = serializers.ListField(child=serializers.CharField())
    approvals_complete = serializers.BooleanField()
    root_cause_recorded = serializers.BooleanField()
    cab_review = serializers.BooleanField(help_text="High/critical: on the next CAB agenda.")


class EmergencyRateSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    emergency = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.FloatField()
    target = serializers.FloatField()
    tolerated = serializers.FloatField()
    verdict = serializers.CharField()
    colour = serializers.ChoiceField(choices=["green", "amber", "red"])


class PaperworkListSerializer(serializers.Serializer):
    """Renders changes.emergency.selectors.PaperworkList."""

    rate = EmergencyRateSerializer()
    results = PaperworkSerializer(many=True)
