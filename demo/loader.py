"""`seed()`: the whole demo in one transaction — people, board and catalog (get-or-created), then, only
into a database without changes, ~50 changes in every state, a few in conflict, a few conversations
(comments, work notes, @mentions), and the next weekly CAB meeting with its generated agenda, so every
page has something to show."""
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cab.models import Meeting
from cab.services import meetings as cab_meetings
from cab.services.agenda import generate_agenda
from changemgmt.models import User
from changes.choices import State
from changes.models import ChangeRequest
from demo.builder import Builder
from demo.conversation import plan_conversations
from demo.people import ensure_board, ensure_catalog, ensure_people
from demo.plans import build_plans


@dataclass
class Summary:
    created: bool
    users: list[User]
    states: dict[str, int]
    next_meeting: Meeting | None = None


def has_demo_changes() -> bool:
    return ChangeRequest.objects.exists()


def schedule_next_meeting(now: datetime) -> Meeting | None:
    """The weekly meetings ahead (what the beat job `cab.schedule_meetings` does) and the next one's agenda
    generated now rather than `agenda_lead_hours` before it, so the board has an agenda to try."""
    cab_meetings.schedule_regular_meetings(now=now)
    meeting = Meeting.objects.filter(starts_at__gt=now).order_by("starts_at").first()
    return generate_agenda(meeting_id=meeting.pk) if meeting else None


def seed(*, now: datetime | None = None) -> Summary:
    """Create the demo data unless changes already exist (idempotent: people, board and catalog are
    get-or-created; changes and the meeting only seeded into a database without changes)."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    meeting = None
    with transaction.atomic():
        people = ensure_people()
        ensure_board(people)
        service_rows, templates = ensure_catalog()
        created = not has_demo_changes()
        if created:
            builder = Builder(people, now)
            plans = build_plans(people, service_rows, templates, now)
            for plan in plans:
                builder.plan_steps(plan)
            plan_conversations(plans, builder.by_name)
            builder.run(plans)
            meeting = schedule_next_meeting(now)
    states = {state: ChangeRequest.objects.filter(state=state).count() for state in State.values}
    return Summary(created=created, users=people, states=states, next_meeting=meeting)
