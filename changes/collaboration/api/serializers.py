"""What the collaboration API answers, and the documentation of its request bodies (with examples).
Serializers render only: the services validate (changes.collaboration.forms)."""
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from changes.collaboration.models import Attachment, Comment


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", help_text="Username of the author")
    mentions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username",
                                            help_text="Usernames named with @ in the body, each notified")

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "work_note", "mentions", "created_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    download_url = serializers.SerializerMethodField(help_text="Where the file is downloaded (a role is needed)")

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "sha256", "uploaded_by", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return f"/api/changes/{attachment.change_id}/attachments/{attachment.pk}/"


class WatchersSerializer(serializers.Serializer):
    watching = serializers.BooleanField(help_text="Whether you watch the change")
    watchers = serializers.ListField(child=serializers.CharField(), help_text="Usernames of everyone watching")


class CommentBody(serializers.Serializer):
    body = serializers.CharField(max_length=10_000, help_text="The text; @username notifies that person "
                                                               "(an unknown name is refused with 400 on `body`).")
    work_note = serializers.BooleanField(required=False, default=False,
                                         help_text="Internal work note: hidden from requesters (who may not write one)")


class AttachmentBody(serializers.Serializer):
    file = serializers.FileField(help_text="The file (multipart/form-data). Size and type limits: the `attachments` "
                                           "policy key.")


COMMENT_EXAMPLES = [
    OpenApiExample("A comment that mentions a reviewer", request_only=True,
                   value={"body": "@bob the rollback plan is attached; can you check step 3?"}),
    OpenApiExample("An internal work note", request_only=True,
                   value={"body": "Vendor ticket 4411 opened; waiting on their answer.", "work_note": True}),
    OpenApiExample("The comment, as answered", response_only=True, status_codes=["201"], value={
        "id": 7, "author": "alice", "body": "@bob the rollback plan is attached; can you check step 3?",
        "work_note": False, "mentions": ["bob"], "created_at": "2026-03-02T15:04:05Z"}),
]
ATTACHMENT_EXAMPLES = [
    OpenApiExample("The attachment, as answered", response_only=True, status_codes=["201"], value={
        "id": 3, "filename": "runbook.md", "content_type": "text/markdown", "size": 2048,
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "uploaded_by": "alice",
        "created_at": "2026-03-02T15:04:05Z", "download_url": "/api/changes/12/attachments/3/"}),
]
WATCH_EXAMPLES = [
    OpenApiExample("Watching", response_only=True, value={"watching": True, "watchers": ["alice", "bob"]}),
]
