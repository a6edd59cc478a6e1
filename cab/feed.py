"""CAB meetings in the change calendar's iCalendar feeds (registered in CabConfig.ready()).

Each meeting keeps the UID of its emailed invitation (cab.ics.meeting_uid), so a calendar client
that received the invitation and subscribes to the feed shows one event, not two. Meetings are
never moved or cancelled once scheduled (there is no such service), so SEQUENCE stays 0 and
STATUS is CONFIRMED. A service's feed lists the meetings whose agenda (or emergency change)
discusses a change touching that service.
"""
from django.conf import settings
from django.db.models import Q

from cab.ics import meeting_uid
from cab.models import Meeting


def meeting_events(*, start, end, service_id=None) -> list:
    from changes.calendar.feeds import FeedEvent

    meetings = Meeting.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if service_id is not None:
        meetings = meetings.filter(
            Q(items__change__services=service_id) | Q(items__change__configuration_items__service=service_id)
            | Q(emergency_change__services=service_id)
            | Q(emergency_change__configuration_items__service=service_id)).distinct()
    return [FeedEvent(
        uid=meeting_uid(m), summary=m.title, start=m.starts_at, end=m.ends_at,
        url=f"{settings.SITE_URL}/cab/meetings/{m.pk}/",
        description=f"{m.get_kind_display()} ({m.get_status_display().lower()}). {m.reason}".strip(),
        categories=("cab", m.kind),
    ) for m in meetings.order_by("starts_at", "id")]
