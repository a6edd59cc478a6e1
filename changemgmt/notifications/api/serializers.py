"""Inbox bodies: output serializers render rows, the input serializer only parses a switch."""
from rest_framework import serializers

from changemgmt.models import Notification, NotificationKind


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "due_at", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, note) -> bool:
        return note.read_at is None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")


class EmailPreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    label = serializers.CharField()
    email = serializers.BooleanField(help_text="Whether this kind is also e-mailed (the inbox row is always written).")


class EmailPreferenceInput(serializers.Serializer):
    email = serializers.BooleanField(help_text="true: e-mail this kind; false: inbox only.")
