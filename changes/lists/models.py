"""A person's saved filters of the change list."""
from django.conf import settings
from django.db import models
from django.utils import timezone


class SavedFilter(models.Model):
    """A named query string of the change list (filters and sort), for its owner only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True, help_text="The list's query string, without `page`")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "changes"
        ordering = ["user", "name"]
        # the unique constraint's index (user first) serves "my saved filters", listed on every list page
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_name_per_person")]

    def __str__(self):
        return f"{self.name} ({self.user_id})"
