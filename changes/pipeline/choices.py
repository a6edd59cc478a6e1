"""Choices of the pipeline gate."""
from django.db import models


class Decision(models.TextChoices):
    """allow: deploy now. wait: the change is on its normal path and time, approvals or tests will clear
    it; ask again after Retry-After. deny: it can never pass as it is (rejected, cancelled, a hard
    freeze, a service or artefact that is not this change's, a schedule that passed)."""

    ALLOW = "allow", "Allow"
    WAIT = "wait", "Wait"
    DENY = "deny", "Deny"


DECISION_COLOURS = {Decision.ALLOW: "green", Decision.WAIT: "orange", Decision.DENY: "red"}
