"""Choices of the review follow-ups."""
from django.db import models


class Checkpoint(models.TextChoices):
    """When a follow-up falls due, counted from deployment by policy `pir_follow_up_hours` (its keys are
    these codes). `day` is the one the metric "issues within 24 h" counts."""

    DAY = "day", "24-hour follow-up"
    WEEK = "week", "1-week follow-up"
