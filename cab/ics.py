"""iCalendar invitations for CAB meetings (RFC 5545, via the `icalendar` package)."""
from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText


def meeting_uid(meeting) -> str:
    return f"cab-meeting-{meeting.pk}@changemgmt"


def invitation(meeting, attendees) -> bytes:
    """A METHOD:REQUEST calendar with the meeting as one event; `attendees` are users with email."""
    calendar = Calendar()
    calendar.add("prodid", "-//changemgmt//CAB//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.created_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("description", f"{meeting.get_kind_display()}. {meeting.reason}\n"
                             f"Agenda: {settings.SITE_URL}/cab/meetings/{meeting.pk}/".strip())
    event.add("url", f"{settings.SITE_URL}/cab/meetings/{meeting.pk}/")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    organizer.params["cn"] = vText("Change Advisory Board")
    event["organizer"] = organizer
    for user in attendees:
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = vText(user.get_full_name() or user.username)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
