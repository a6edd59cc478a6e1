"""Idempotency keys of API writes (changemgmt.api.idempotency).

A row is a client's promise that one request is one write: its principal, its key, the fingerprint
of the request that first used it, and, once that request succeeded, the answer to give every
retry. It is bookkeeping of the API, not audited content: the write it guards has its own ledger
entry, and rows are deleted when they expire (changemgmt.api.tasks.purge_idempotency_keys)."""
from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` of one user. `status_code` is empty while the first request runs (a
    concurrent retry is told it is in progress); then it holds the answer that is replayed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    claimed_at = models.DateTimeField(help_text="When the running request took the key")
    expires_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]
        # The purge (changemgmt.purge_idempotency_keys): expired keys, oldest first.
        indexes = [models.Index(fields=["expires_at"], name="idempotency_key_expiry")]

    def __str__(self):
        return f"{self.key} ({self.method} {self.path})"
