"""Policy as data: one row per policy setting, its value JSON, its source reference."""
from django.db import models
from simple_history.models import HistoricalRecords


class PolicySetting(models.Model):
    """A named policy value (a number, a table, a list) an administrator may edit.

    Defaults come from POLICY.md through a data migration; `changemgmt.policy` validates edits
    against the default's shape and records each edit in the ledger.
    """

    key = models.CharField(max_length=100, unique=True)
    value = models.JSONField()
    description = models.TextField(blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text="Where the default comes from")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.key


class PolicyRevision(models.Model):
    """One row whose number grows with every policy edit: the stamp every process compares its in-memory
    copy of the policy with (changemgmt.policy), so an edit in one process is seen by all at once."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"policy revision {self.number}"
