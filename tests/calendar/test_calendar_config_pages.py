"""The windows and freezes configuration pages: the right roles edit through the calendar services
(ledger entry), the others get 403, and bad input is a 400 naming the field with nothing written."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from changemgmt.models import LedgerEntry
from changes.calendar.models import DeploymentWindow, Freeze

pytestmark = pytest.mark.django_db
WINDOW = {"weekday": "6", "starts": "05:00", "ends": "06:00", "risks": ["low"]}


def _as(client, user):
    client.force_login(user)
    return client


def test_windows_page_is_for_the_chair_and_administrators(client, cab_chair, admin_user, requester, operations):
    assert _as(client, cab_chair).get(reverse("calendar:windows")).status_code == 200
    assert _as(client, admin_user).get(reverse("calendar:windows")).status_code == 200
    assert _as(client, requester).get(reverse("calendar:windows")).status_code == 403
    assert _as(client, operations).post(reverse("calendar:windows"), WINDOW).status_code == 403


def test_the_window_form_explains_its_fields(client, cab_chair):
    page = _as(client, cab_chair).get(reverse("calendar:windows")).content.decode()
    assert "The day of the week this window recurs on" in page
    assert "Two windows sharing a risk level may not overlap" in page


def test_adding_editing_and_deleting_a_window_is_audited(client, cab_chair):
    client = _as(client, cab_chair)
    assert client.post(reverse("calendar:windows"), WINDOW).status_code == 303
    window = DeploymentWindow.objects.get(weekday=6, starts="05:00")
    assert LedgerEntry.objects.filter(action="calendar.window_saved").count() == 1
    edit = client.post(reverse("calendar:window-edit", args=[window.pk]), {**WINDOW, "ends": "07:00"})
    assert edit.status_code == 303
    window.refresh_from_db()
    assert window.ends.hour == 7
    assert client.post(reverse("calendar:window-delete", args=[window.pk])).status_code == 303
    assert not DeploymentWindow.objects.filter(pk=window.pk).exists()
    assert LedgerEntry.objects.filter(action="calendar.window_deleted").count() == 1


def test_a_window_ending_before_it_starts_is_refused_naming_the_field(client, cab_chair):
    before = (DeploymentWindow.objects.count(), LedgerEntry.objects.count())
    response = _as(client, cab_chair).post(reverse("calendar:windows"), {**WINDOW, "ends": "04:00"})
    assert response.status_code == 400
    assert response.context["form"].errors["ends"]
    assert (DeploymentWindow.objects.count(), LedgerEntry.objects.count()) == before


def _freeze(**overrides):
    now = timezone.localtime()
    return {"name": "Year end", "reason": "Closing the books", "kind": "hard",
            "starts_at": f"{now + timedelta(days=30):%Y-%m-%dT%H:%M}",
            "ends_at": f"{now + timedelta(days=32):%Y-%m-%dT%H:%M}", **overrides}


def test_freezes_page_is_for_freeze_editors(client, operations, requester, cab_member):
    assert _as(client, operations).get(reverse("calendar:freezes")).status_code == 200
    assert _as(client, requester).get(reverse("calendar:freezes")).status_code == 403
    assert _as(client, cab_member).post(reverse("calendar:freezes"), _freeze()).status_code == 403
    assert not Freeze.objects.exists()


def test_announcing_then_lifting_a_freeze_from_the_page(client, cab_chair):
    client = _as(client, cab_chair)
    assert client.post(reverse("calendar:freezes"), _freeze()).status_code == 303
    freeze = Freeze.objects.get(name="Year end")
    assert LedgerEntry.objects.filter(action="calendar.freeze_announced").count() == 1
    page = client.get(reverse("calendar:freezes")).content.decode()
    assert "Lift Year end" in page
    lifted = client.post(reverse("calendar:freeze-lift", args=[freeze.pk]),
                         {"reason": "Books closed early", "next": reverse("calendar:freezes")})
    assert lifted.status_code == 303 and lifted["Location"] == reverse("calendar:freezes")
    freeze.refresh_from_db()
    assert freeze.lifted_at is not None
    assert LedgerEntry.objects.filter(action="calendar.freeze_lifted").count() == 1


def test_a_freeze_without_reason_or_ending_first_is_refused_naming_the_field(client, cab_chair):
    client = _as(client, cab_chair)
    no_reason = client.post(reverse("calendar:freezes"), _freeze(reason=" "))
    assert no_reason.status_code == 400 and no_reason.context["form"].errors["reason"]
    now = timezone.localtime()
    backwards = client.post(reverse("calendar:freezes"), _freeze(ends_at=f"{now:%Y-%m-%dT%H:%M}"))
    assert backwards.status_code == 400 and backwards.context["form"].errors["ends_at"]
    assert not Freeze.objects.exists()
    assert not LedgerEntry.objects.filter(action__startswith="calendar.").exists()
