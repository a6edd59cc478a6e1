"""Hashed, revocable API tokens for REST clients."""
from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class TokenKind(models.TextChoices):
    """What a token may do: a personal token acts as its owner, with the owner's roles, everywhere in
    the API; a pipeline token only asks the deploy gate, for the services it is scoped to (least rights,
    changemgmt.api.permissions)."""

    PERSONAL = "personal", "Personal"
    PIPELINE = "pipeline", "Pipeline"


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the secret is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True, help_text="Public part, to identify the token")
    key_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=TokenKind.choices, default=TokenKind.PERSONAL)
    # Upward reference by name only (changes sits above the kernel): the services a pipeline token may ask about.
    services = models.ManyToManyField("changes.Service", blank=True, related_name="pipeline_tokens",
                                      help_text="Pipeline tokens: the services whose deployments it may gate")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Use is stamped with a queryset update (no history row); edits and revocations are kept.
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None

    @property
    def is_pipeline(self) -> bool:
        return self.kind == TokenKind.PIPELINE
