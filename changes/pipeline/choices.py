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


class Action(models.TextChoices):
    """The answer to a stage report. continue: healthy, go to the next stage. hold: a warning; do not
    advance, report this stage again. roll_back: critical; the change was rolled back."""

    CONTINUE = "continue", "Continue"
    HOLD = "hold", "Hold"
    ROLL_BACK = "roll_back", "Roll back"
