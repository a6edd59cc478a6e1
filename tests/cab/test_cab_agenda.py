"""Agenda generation against a seeded week: each of the six sections holds exactly what it should;
generation costs the same number of queries however many changes exist; the chair edits the
agenda before the meeting only."""
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import ApprovalSlot
from cab.choices import Section
from cab.models import ActionItem
from cab.services import agenda as agenda_services
from cab.services.agenda import generate_agenda
from cab.services.meetings import start_meeting
from changemgmt import policy
from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry
from changes.calendar.models import Freeze
from changes.models import ChangeRequest
from tests.support import cab as support
from tests.support import factories as f

NY = f.NY


def at(day, hour=6, minute=0):
    return datetime(2026, day // 100, day % 100, hour, minute, tzinfo=NY)


def seed_week(requester, chair, tag=""):
    """A week of activity; returns the ids each section should show."""
    row = support.row
    pay, ledger_svc, search = (f.make_service(n) for n in ("payments-api", "ledger", "search"))
    ids = {}

    def changed(name, services=(), created=None, **fields):
        change = row(requester, title=f"{name}{tag}", **fields)
        change.services.set(services)
        if created:
            ChangeRequest.objects.filter(pk=change.pk).update(created_at=created)
        ids[name] = change.pk
        return change

    # (1) closed since the last meeting (Wed 11-18 10:00)
    changed("closed ok", state="closed", outcome="successful", closed_at=at(1120, 9))
    changed("closed failed", state="closed", outcome="failed", closed_at=at(1121, 9))
    changed("closed rolled back", state="closed", outcome="rolled_back", closed_at=at(1122, 9))
    changed("closed long ago", state="closed", outcome="successful", closed_at=at(1110, 9))
    changed("rejected", state="rejected", closed_at=at(1120, 9))
    # (2) emergency changes
    changed("emergency now", change_type="emergency", state="deployed", risk_level="high",
            emergency_criterion="production_down", deployed_at=at(1120, 3), created=at(1120, 2))
    changed("emergency old", change_type="emergency", state="closed", outcome="successful",
            deployed_at=at(1102, 3), closed_at=at(1103), created=at(1101))
    # (3) high/critical awaiting CAB, and near misses
    for name, risk, slot_status, state in [("high awaiting", "high", "pending", "approval"),
                                           ("critical awaiting", "critical", "pending", "approval"),
                                           ("high granted", "high", "granted", "approval"),
                                           ("high testing", "high", "granted", "testing")]:
        change = changed(name, [ledger_svc], risk_level=risk, state=state,
                         planned_start=at(1202, 6, 30 if name.startswith("critical") else 0),
                         planned_end=at(1202, 7, 30 if name.startswith("critical") else 0))
        ApprovalSlot.objects.create(change=change, role="cab", rule="High risk requires CAB", policy="§3",
                                    status=slot_status, **({"decided_by": chair, "decided_at": at(1122)}
                                                           if slot_status == "granted" else {}))
    changed("medium approval", risk_level="medium", state="approval")
    # (4) the calendar: two overlapping changes on payments-api, one alone on search
    changed("calendar A", [pay], state="ready", planned_start=at(1201, 6), planned_end=at(1201, 7))
    changed("calendar B", [pay], state="ready", planned_start=at(1201, 6, 30), planned_end=at(1201, 7, 30))
    changed("calendar alone", [search], state="testing", planned_start=at(1202, 6), planned_end=at(1202, 7))
    changed("calendar far", [search], state="ready", planned_start=at(1222, 6), planned_end=at(1222, 7))
    changed("calendar draft", [pay], state="draft", planned_start=at(1201, 6), planned_end=at(1201, 7))
    # (5) freezes
    soon = Freeze.objects.create(name=f"Payments freeze{tag}", reason="Peak", kind="soft",
                                 starts_at=at(1201, 0), ends_at=at(1201, 23))
    soon.services.set([pay])
    Freeze.objects.create(name=f"Year end{tag}", reason="Year end", kind="hard", starts_at=at(1215, 0),
                          ends_at=at(1231, 0))
    Freeze.objects.create(name=f"Past{tag}", reason="Past", starts_at=at(1101, 0), ends_at=at(1102, 0))
    Freeze.objects.create(name=f"Lifted{tag}", reason="Moved", starts_at=at(1203, 0), ends_at=at(1204, 0),
                          lifted_at=at(1120), lift_reason="Migration moved")  # lifted: no longer holds
    Freeze.objects.create(name=f"Far{tag}", reason="Far", starts_at=datetime(2027, 3, 1, tzinfo=NY),
                          ends_at=datetime(2027, 3, 2, tzinfo=NY))
    # (6) action items and concerns
    ActionItem.objects.create(title=f"Write runbook{tag}", owner=chair, due_on=at(1130).date(), created_by=chair)
    ActionItem.objects.create(title=f"Too many Friday deploys{tag}", kind="concern", created_by=chair)
    ActionItem.objects.create(title=f"Done already{tag}", owner=chair, due_on=at(1120).date(), created_by=chair,
                              status="done")
    return ids


@pytest.fixture
def week(frozen, board, requester):
    support.make_meeting(start=support.LAST_MEETING)
    ids = seed_week(requester, board["chair"])
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    return meeting, ids


def section(meeting, number):
    return list(meeting.items.filter(section=number).order_by("position"))


def test_section_1_lists_changes_closed_since_the_last_meeting_with_failures(week):
    meeting, ids = week
    summary, *failures = section(meeting, Section.CLOSED)
    assert [e["id"] for e in summary.snapshot["successful"]] == [ids["closed ok"]]
    assert [e["id"] for e in summary.snapshot["failed"]] == [ids["closed failed"], ids["closed rolled back"]]
    assert [item.change_id for item in failures] == [ids["closed failed"], ids["closed rolled back"]]
    assert summary.title.startswith("Closed since the last meeting: 1 successful, 2 failed")


def test_section_2_lists_emergency_changes_since_the_last_meeting(week):
    meeting, ids = week
    items = section(meeting, Section.EMERGENCY)
    assert [i.change_id for i in items] == [ids["emergency now"]]
    assert items[0].snapshot["emergency_criterion"] == "production_down"
    assert not items[0].needs_decision


def test_section_3_lists_high_and_critical_changes_awaiting_cab_as_decision_items(week):
    meeting, ids = week
    items = section(meeting, Section.AWAITING)
    assert [i.change_id for i in items] == [ids["high awaiting"], ids["critical awaiting"]]
    assert all(i.needs_decision and i.slot.role == "cab" and i.slot.status == "pending" for i in items)
    snap = items[0].snapshot
    assert snap["url"] == f"/changes/{ids['high awaiting']}/" and snap["risk"] == "high"
    assert snap["approvals"][0]["role"] == "cab" and snap["planned_start"].startswith("2026-12-02T11:00")
    assert {c["with"] for c in snap["conflicts"]} == {ids[n] for n in ("critical awaiting", "high granted",
                                                                       "high testing")}


def test_section_4_is_the_calendar_of_the_coming_period_with_its_conflicts(week):
    meeting, ids = week
    (calendar,) = section(meeting, Section.CALENDAR)
    shown = {entry["id"] for entry in calendar.snapshot["changes"]}
    assert shown == {ids[n] for n in ("calendar A", "calendar B", "calendar alone", "high awaiting",
                                      "critical awaiting", "high granted", "high testing")}
    pairs = {frozenset((c["a"], c["b"])) for c in calendar.snapshot["conflicts"]}
    assert frozenset((ids["calendar A"], ids["calendar B"])) in pairs
    assert all(ids["calendar alone"] not in pair for pair in pairs)


def test_section_5_lists_upcoming_freezes_and_the_changes_they_catch(week):
    meeting, ids = week
    items = section(meeting, Section.FREEZES)
    assert [i.snapshot["name"] for i in items] == ["Payments freeze", "Year end"]
    caught = set(items[0].snapshot["changes_caught"])
    assert caught == {f"CHG-{ids['calendar A']:06d}", f"CHG-{ids['calendar B']:06d}"}


def test_section_6_lists_open_action_items_and_concerns(week):
    meeting, _ids = week
    titles = [i.title for i in section(meeting, Section.ACTIONS)]
    assert titles == ["Action item: Write runbook", "Concern: Too many Friday deploys"]


def test_generation_is_stored_once_and_ledgered(week):
    meeting, _ids = week
    count = meeting.items.count()
    generate_agenda(meeting_id=meeting.pk)
    assert meeting.items.count() == count
    assert LedgerEntry.objects.filter(action="cab.agenda_generated", subject=f"cab.meeting:{meeting.pk}").count() == 1


def test_the_stored_items_are_the_built_ones_field_for_field(frozen, board, requester):
    """store_items writes each built item as it is (COPY on PostgreSQL, Django's bulk insert elsewhere), in
    one logged query."""
    from cab.agenda import build_items, previous_meeting_start

    support.make_meeting(start=support.LAST_MEETING)
    seed_week(requester, board["chair"])
    meeting = support.make_meeting()
    built = build_items(meeting, previous_meeting_start(meeting), meeting.starts_at - timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        agenda_services.store_items(built)
    assert len(queries) == 1
    fields = [field.attname for field in meeting.items.model._meta.concrete_fields if not field.primary_key]
    stored = list(meeting.items.order_by("position").values_list(*fields))
    assert stored == [tuple(getattr(item, name) for name in fields) for item in sorted(built, key=lambda i: i.position)]
    assert any(row[fields.index("snapshot")] for row in stored) and len(stored) == len(built) > 5


def test_generation_takes_the_same_number_of_queries_at_two_sizes(frozen, board, requester):
    support.make_meeting(start=support.LAST_MEETING)
    seed_week(requester, board["chair"])
    small = support.make_meeting()
    policy.get("cab")  # the policy cache is warm in both measurements
    with CaptureQueriesContext(connection) as small_queries:
        generate_agenda(meeting_id=small.pk)
    for copy in range(4):
        seed_week(requester, board["chair"], tag=f" #{copy}")
    large = support.make_meeting(start=support.MEETING_START + timedelta(hours=2), kind="emergency")
    with CaptureQueriesContext(connection) as large_queries:
        generate_agenda(meeting_id=large.pk)
    assert large.items.count() > 3 * small.items.count() - 10
    assert len(large_queries) == len(small_queries)


def test_chair_adds_removes_and_reorders_items_before_the_meeting(week, board, requester):
    meeting, ids = week
    chair = board["chair"]
    topic = agenda_services.add_item(meeting_id=meeting.pk, actor=chair, title="Review change-freeze policy")
    assert topic.section == Section.OTHER and not topic.needs_decision
    first = meeting.items.order_by("position").first()
    agenda_services.move(item_id=topic.pk, actor=chair, offset=-1000)
    assert meeting.items.order_by("position").first() == topic
    agenda_services.remove_item(item_id=first.pk, actor=chair)
    assert not meeting.items.filter(pk=first.pk).exists()
    actions = list(LedgerEntry.objects.filter(action__startswith="cab.agenda_item").values_list("action", flat=True))
    assert actions == ["cab.agenda_item_added", "cab.agenda_item_removed"]


def test_a_change_added_by_the_chair_is_a_decision_item_when_its_cab_approval_is_pending(frozen, board, requester):
    change = support.high_risk_in_approval(requester)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    with pytest.raises(Conflict, match="already on this agenda"):
        agenda_services.add_item(meeting_id=meeting.pk, actor=board["chair"], change_id=change.pk)


def test_members_cannot_edit_the_agenda_and_nobody_can_once_it_started(week, board):
    meeting, _ids = week
    item = meeting.items.first()
    with pytest.raises(PermissionDenied):
        agenda_services.remove_item(item_id=item.pk, actor=board["qa"])
    start_meeting(meeting_id=meeting.pk, actor=board["chair"])
    with pytest.raises(Conflict, match="before the meeting"):
        agenda_services.remove_item(item_id=item.pk, actor=board["chair"])
    with pytest.raises(Conflict, match="before the meeting"):
        agenda_services.add_item(meeting_id=meeting.pk, actor=board["chair"], title="Late topic")
