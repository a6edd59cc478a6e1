"""The record kinds retention purges: each is a key of policy `retention_years`."""
from django.db import models


class RecordKind(models.TextChoices):
    TEST_RESULTS = "test_results", "Test results"
    DEPLOYMENT_LOGS = "deployment_logs", "Deployment logs"
    CHANGES = "changes", "Change requests"
    APPROVALS = "approvals", "Approval decisions"
    ROLLBACKS = "rollbacks", "Rollback records"
