"""Inbox bodies: output serializers render rows, the input serializer only parses a switch."""
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from changemgmt.models import Notification, NotificationKind


@extend_schema_serializer(examples=[OpenApiExample("A notification", response_only=True, value={
    "id": 91, "kind": "approval_requested", "title": "CHG-000042 needs your approval",
    "body": "“Upgrade payments API to v2.3” waits for your peer review.", "url": "/changes/42/",
    "due_at": "2026-12-02T17:00:00Z", "created_at": "2026-12-01T09:00:00Z", "read_at": None, "unread": True})])
class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "due_at", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, note) -> bool:
        return note.read_at is None


@extend_schema_serializer(examples=[OpenApiExample("Marked", response_only=True, value={"marked": 3})])
class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")


@extend_schema_serializer(examples=[OpenApiExample("A preference", response_only=True, value={
    "kind": "approval_requested", "label": "Approval requested", "email": True})])
class EmailPreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    label = serializers.CharField()
    email = serializers.BooleanField(help_text="Whether this kind is also e-mailed (the inbox row is always written).")


@extend_schema_serializer(examples=[OpenApiExample("Inbox only", request_only=True, value={"email": False})])
class EmailPreferenceInput(serializers.Serializer):
    email = serializers.BooleanField(help_text="true: e-mail this kind; false: inbox only.")
