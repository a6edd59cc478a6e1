"""Reads of the change list's own data, and the CSV export's rows in fixed-size chunks."""
from changes import selectors as change_selectors
from changes.lists.models import SavedFilter

EXPORT_CHUNK = 500


def saved_filters(user) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(user=user).only("id", "name", "query", "created_at").order_by("name"))


def export_chunks(queryset):
    """The filtered changes, `EXPORT_CHUNK` at a time with their services (2 queries a chunk): memory
    stays flat however many rows match. The filter's order ends on the id, so slices never overlap."""
    ordered = queryset if queryset.query.order_by else queryset.order_by("-created_at", "-id")
    offset = 0
    while True:
        chunk = change_selectors.with_services(ordered[offset:offset + EXPORT_CHUNK])
        if not chunk:
            return
        yield chunk
        offset += EXPORT_CHUNK
