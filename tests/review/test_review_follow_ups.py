"""Post-implementation review follow-ups at 24 hours and 1 week (issue 11 §7, POLICY §4 close):
scheduled at deployment from policy, reminded by the beat job through the notification path,
answered once from the page or the API with a ledger entry; auditors never answer."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from changemgmt import policy_services
from changemgmt.models import LedgerEntry, Notification
from changes.review import services
from changes.review.models import ReviewFollowUp
from changes.review.tasks import remind_review_follow_ups
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import client_for, post_json

pytestmark = pytest.mark.django_db


def test_deployment_schedules_both_follow_ups_from_policy(requester, peer, peer2, admin_user, frozen):
    policy_services.update_setting(key="pir_follow_up_hours", value={"day": 12, "week": 100}, actor=admin_user)
    change = life.deployed(requester, [peer, peer2], frozen)
    rows = {row.checkpoint: row for row in ReviewFollowUp.objects.filter(change=change)}
    assert rows["day"].due_at == change.deployed_at + timedelta(hours=12)
    assert rows["week"].due_at == change.deployed_at + timedelta(hours=100)
    assert LedgerEntry.objects.filter(action="review.follow_ups_scheduled", subject=f"changes.changerequest:{change.pk}"
                                      ).count() == 1


def test_beat_job_reminds_owner_once_when_due(requester, peer, peer2, frozen):
    assert PeriodicTask.objects.filter(task="changes.remind_review_follow_ups").exists()
    change = life.deployed(requester, [peer, peer2], frozen)
    assert remind_review_follow_ups() == 0  # nothing due yet
    frozen.move_to(change.deployed_at + timedelta(hours=24, minutes=1))
    assert remind_review_follow_ups() == 1
    assert remind_review_follow_ups() == 0  # a second sweep sends nothing twice
    notes = Notification.objects.filter(kind="review_follow_up")
    assert {n.user_id for n in notes} == {requester.pk}
    assert f"/changes/{change.pk}/review/" == notes.get().url
    frozen.move_to(change.deployed_at + timedelta(days=8))
    assert remind_review_follow_ups() == 1  # the week follow-up


def test_answer_from_the_page_records_issues_within_24h(client, requester, peer, peer2, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    day = ReviewFollowUp.objects.get(change=change, checkpoint="day")
    client.force_login(requester)
    page = client.get(reverse("changes:review", args=[change.pk]))
    assert page.status_code == 200 and b"24-hour follow-up" in page.content
    detail = client.get(reverse("changes:detail", args=[change.pk]))
    assert b"Post-implementation review follow-ups" in detail.content

    url = reverse("changes:review-answer", args=[change.pk, day.pk])
    refused = client.post(url, {f"{day.pk}-issues_found": "yes", f"{day.pk}-notes": ""})
    assert refused.status_code == 400 and b"Describe the issues" in refused.content
    assert client.post(url, {f"{day.pk}-issues_found": "yes", f"{day.pk}-notes": "Errors"}).status_code == 302
    day.refresh_from_db()
    assert (day.issues_found, day.answered_by, day.notes) == (True, requester, "Errors")
    entry = LedgerEntry.objects.get(action="review.follow_up_answered")
    assert entry.payload["checkpoint"] == "day" and entry.payload["issues_found"] is True
    again = client.post(url, {f"{day.pk}-issues_found": "no"})
    assert again.status_code == 409
    assert ReviewFollowUp.objects.filter(checkpoint="day", issues_found=True).count() == 1  # what the metric counts


def test_api_lists_and_answers_and_refuses_bad_input(requester, peer, peer2, auditor, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    week = ReviewFollowUp.objects.get(change=change, checkpoint="week")
    api = client_for(requester)
    listed = api.get(f"/api/changes/{change.pk}/review-follow-ups/").json()
    assert [row["checkpoint"] for row in listed] == ["day", "week"]
    url = f"/api/review-follow-ups/{week.pk}/answer/"
    assert post_json(api, url, {"issues_found": "maybe"}).status_code == 400
    assert "notes" in post_json(api, url, {"issues_found": True}).json()
    before = LedgerEntry.objects.count()
    assert post_json(client_for(auditor), url, {"issues_found": False}).status_code == 403
    assert post_json(client_for(peer), url, {"issues_found": False}).status_code == 403
    assert LedgerEntry.objects.count() == before
    answered = post_json(api, url, {"issues_found": False})
    assert answered.status_code == 200 and answered.json()["answered_by"] == "alice"
    assert post_json(api, url, {"issues_found": False}).status_code == 409
    assert post_json(api, "/api/review-follow-ups/999999/answer/", {"issues_found": False}).status_code == 404


def test_policy_refuses_a_week_before_the_day(admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        policy_services.update_setting(key="pir_follow_up_hours", value={"day": 48, "week": 24}, actor=admin_user)


def test_schedule_is_idempotent(requester, peer, peer2, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    assert services.schedule_follow_ups(change=f.reload(change), actor=requester) == []
    assert ReviewFollowUp.objects.filter(change=change).count() == 2


def test_admin_shows_follow_ups_read_only(client, requester, peer, peer2, admin_user, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:changes_reviewfollowup_changelist"))
    assert listing.status_code == 200 and b"24-hour follow-up" in listing.content
    assert client.get(reverse("admin:changes_reviewfollowup_add")).status_code == 403
    assert ReviewFollowUp.objects.filter(change=change).count() == 2
