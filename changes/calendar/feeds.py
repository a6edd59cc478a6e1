"""iCalendar feeds (RFC 5545) of changes and freezes, for Outlook, Google Calendar and Thunderbird.

Times are UTC. Each change has one stable UID; its SEQUENCE is the change's `schedule_sequence`
(bumped on every reschedule) so clients replace the old occurrence; cancelled and rejected changes
stay in the feed as STATUS:CANCELLED so clients remove them.

Extension point: another app (the CAB's meetings) adds events with `register_source(fn)`, where
`fn(*, start, end, service_id)` returns FeedEvent objects; register it in that app's ready().
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from changemgmt.roles import is_member
from changes.calendar import schedule
from changes.calendar.models import CalendarFeedToken
from changes.calendar.services import hash_feed_secret
from changes.choices import State
from changes.models import ChangeRequest

PAST = timedelta(days=90)
FUTURE = timedelta(days=365)
CANCELLED_STATES = {State.CANCELLED, State.REJECTED}


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    summary: str
    start: datetime
    end: datetime
    sequence: int = 0
    status: str = "CONFIRMED"
    url: str = ""
    description: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)


_sources: list[Callable[..., Iterable[FeedEvent]]] = []


def register_source(source: Callable[..., Iterable[FeedEvent]]) -> None:
    if source not in _sources:
        _sources.append(source)


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "changemgmt"


def change_events(*, start, end, service_id=None) -> list[FeedEvent]:
    changes = ChangeRequest.objects.filter(planned_start__lt=end, planned_end__gt=start).select_related("owner")
    if service_id is not None:
        changes = changes.filter(Q(services=service_id) | Q(configuration_items__service=service_id))
    return [FeedEvent(
        uid=f"change-{c.pk}@{_host()}",
        summary=f"{c.reference} {c.title}",
        start=c.planned_start, end=c.planned_end, sequence=c.schedule_sequence,
        status="CANCELLED" if c.state in CANCELLED_STATES else "CONFIRMED",
        url=f"{settings.SITE_URL}/changes/{c.pk}/",
        description=f"State: {c.get_state_display()}. Risk: {c.risk_level or 'not scored'}. "
                    f"Owner: {c.owner or '—'}.",
        categories=("change", c.change_type),
    ) for c in changes.distinct().order_by("planned_start", "id")]


def freeze_events(*, start, end, service_id=None) -> list[FeedEvent]:
    periods = schedule.freezes_between(start, end, None if service_id is None else [service_id])
    return [FeedEvent(
        uid=(f"freeze-{p.pk}@{_host()}" if p.pk else
             f"freeze-{p.source}-{timezone.localtime(p.starts_at):%Y%m%d}@{_host()}"),
        summary=f"{p.kind.capitalize()} freeze: {p.name}", start=p.starts_at, end=p.ends_at,
        description=p.reason, categories=("freeze", p.kind),
    ) for p in periods]


def build(events: Iterable[FeedEvent], *, name: str, now=None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//changemgmt//change calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = (now or timezone.now()).astimezone(UTC)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.start.astimezone(UTC))
        event.add("dtend", item.end.astimezone(UTC))
        event.add("summary", item.summary)
        event.add("sequence", item.sequence)
        event.add("status", item.status)
        if item.url:
            event.add("url", item.url)
        if item.description:
            event.add("description", item.description)
        if item.categories:
            event.add("categories", list(item.categories))
        calendar.add_component(event)
    return calendar.to_ical()


def feed(*, service=None, now=None) -> bytes:
    """The whole calendar, or one service's: changes, freezes and registered sources (CAB meetings)."""
    now = now or timezone.now()
    start, end = now - PAST, now + FUTURE
    service_id = service.pk if service else None
    events = change_events(start=start, end=end, service_id=service_id)
    events += freeze_events(start=start, end=end, service_id=service_id)
    for source in _sources:
        events += list(source(start=start, end=end, service_id=service_id))
    name = f"Changes: {service.name}" if service else "Change calendar"
    return build(events, name=name, now=now)


def user_for_secret(secret: str):
    """The active user owning this feed secret, or None (wrong, revoked, or the user lost every role)."""
    token = (CalendarFeedToken.objects.select_related("user")
             .filter(token_hash=hash_feed_secret(secret), revoked_at__isnull=True).first())
    if token is None or not is_member(token.user):
        return None
    return token.user
