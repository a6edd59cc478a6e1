"""Choices of the change calendar."""
from django.db import models

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class FreezeKind(models.TextChoices):
    HARD = "hard", "Hard (emergency only)"
    SOFT = "soft", "Soft (justification + extra approval)"
