"""The review follow-ups' API shapes."""
from rest_framework import serializers

from changes.review.models import ReviewFollowUp


class FollowUpSerializer(serializers.ModelSerializer):
    answered_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReviewFollowUp
        fields = ["id", "change", "checkpoint", "due_at", "reminded_at", "answered_at", "answered_by",
                  "issues_found", "notes"]


class AnswerInput(serializers.Serializer):
    issues_found = serializers.BooleanField(help_text="Whether the change caused any issue since deployment.")
    notes = serializers.CharField(required=False, allow_blank=True, default="",
                                  help_text="What happened (required when `issues_found` is true).")
