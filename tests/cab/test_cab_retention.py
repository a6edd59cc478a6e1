"""Minutes retention [POLICY §9]: published minutes are kept `retention_years.cab_minutes` years,
read-only all that time; the day after, the daily job purges their text, leaves a tombstone that
pages and the API show, and records each purge in the ledger."""
from datetime import date, datetime, timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from cab import tasks
from cab.models import Minutes
from cab.services import minutes
from cab.services.meetings import end_meeting, start_meeting
from cab.services.retention import purge_expired_minutes
from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry
from tests.support import cab as support
from tests.support import factories as f


@pytest.fixture
def published(frozen, board):
    chair = board["chair"]
    meeting = support.make_meeting()
    start_meeting(meeting_id=meeting.pk, actor=chair)
    minutes.update_notes(meeting_id=meeting.pk, actor=chair, notes="Nothing to report.")
    end_meeting(meeting_id=meeting.pk, actor=chair)
    record = minutes.publish(meeting_id=meeting.pk, actor=chair)
    assert record.retain_until == date(2029, 11, 23)
    return meeting, record


def at(frozen, day: date):
    frozen.move_to(datetime(day.year, day.month, day.day, 12, 0, tzinfo=f.NY))


def test_published_minutes_stay_read_only_and_whole_until_their_retention_date(published, frozen, board):
    meeting, record = published
    at(frozen, record.retain_until)
    assert tasks.purge_expired_minutes() == 0
    with pytest.raises(Conflict):
        minutes.update_notes(meeting_id=meeting.pk, actor=board["chair"], notes="Rewritten history")
    kept = Minutes.objects.get(pk=record.pk)
    assert kept.body == record.body and kept.notes == "Nothing to report." and kept.purged_at is None
    assert not LedgerEntry.objects.filter(action="cab.minutes_purged").exists()


def test_the_day_after_retention_the_text_is_purged_and_the_ledger_says_so(published, frozen):
    meeting, record = published
    at(frozen, record.retain_until + timedelta(days=1))
    assert tasks.purge_expired_minutes() == 1
    purged = Minutes.objects.get(pk=record.pk)
    assert purged.body == "" and purged.notes == "" and purged.purged_at is not None
    assert purged.body_sha256 == record.body_sha256 and purged.published_at == record.published_at
    [entry] = LedgerEntry.objects.filter(action="cab.minutes_purged")
    assert entry.payload["sha256"] == record.body_sha256 and entry.payload["retain_until"] == "2029-11-23"
    assert entry.subject == f"cab.meeting:{meeting.pk}"


def test_purging_twice_purges_once(published, frozen):
    _meeting, record = published
    at(frozen, record.retain_until + timedelta(days=40))
    assert purge_expired_minutes() == 1
    assert purge_expired_minutes() == 0
    assert LedgerEntry.objects.filter(action="cab.minutes_purged").count() == 1


def test_purged_minutes_stay_read_only_and_show_a_purge_notice(published, frozen, client, board):
    meeting, record = published
    at(frozen, record.retain_until + timedelta(days=1))
    purge_expired_minutes()
    with pytest.raises(Conflict):
        minutes.update_notes(meeting_id=meeting.pk, actor=board["chair"], notes="Restored")
    client.force_login(board["qa"])
    page = client.get(f"/cab/meetings/{meeting.pk}/minutes/").content.decode()
    assert "Purged" in page and "Nothing to report." not in page and "Draft" not in page
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(board["qa"])
    body = api.get(f"/api/cab/meetings/{meeting.pk}/minutes/").json()
    assert body["published"] and body["purged_at"] and "retention policy" in body["markdown"]


def test_unpublished_minutes_are_never_purged(frozen, board):
    meeting = support.make_meeting()
    minutes.update_notes(meeting_id=meeting.pk, actor=board["chair"], notes="Draft notes")
    frozen.move_to(datetime(2040, 1, 1, tzinfo=f.NY))
    assert purge_expired_minutes() == 0
    assert Minutes.objects.get(meeting=meeting).notes == "Draft notes"


def test_the_daily_purge_job_is_scheduled(db):
    job = PeriodicTask.objects.get(task="cab.purge_expired_minutes")
    assert job.enabled and job.crontab.hour == "3"
