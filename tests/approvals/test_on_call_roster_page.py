"""The on-call roster page: administrators add, edit and remove shifts through approvals.services
(ledger entries); others get 403; a shift ending before it starts is a 400 naming the field."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import OnCallShift
from changemgmt.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _shift(user, **overrides):
    now = timezone.localtime()
    return {"role": "manager", "user": user.pk, "starts_at": f"{now + timedelta(days=1):%Y-%m-%dT%H:%M}",
            "ends_at": f"{now + timedelta(days=2):%Y-%m-%dT%H:%M}", **overrides}


def test_roster_page_is_for_administrators(client, admin_user, cab_chair, manager):
    client.force_login(admin_user)
    page = client.get(reverse("approvals:on-call"))
    assert page.status_code == 200 and "authorize emergency changes after hours" in page.content.decode()
    client.force_login(cab_chair)
    assert client.get(reverse("approvals:on-call")).status_code == 403
    assert client.post(reverse("approvals:on-call"), _shift(manager)).status_code == 403
    assert not OnCallShift.objects.exists()


def test_adding_editing_and_removing_a_shift_is_audited(client, admin_user, manager):
    client.force_login(admin_user)
    assert client.post(reverse("approvals:on-call"), _shift(manager)).status_code == 303
    shift = OnCallShift.objects.get(user=manager)
    edit = client.post(reverse("approvals:on-call-edit", args=[shift.pk]), _shift(manager, role="security"))
    assert edit.status_code == 303
    shift.refresh_from_db()
    assert shift.role == "security"
    assert client.post(reverse("approvals:on-call-delete", args=[shift.pk])).status_code == 303
    assert not OnCallShift.objects.exists()
    actions = list(LedgerEntry.objects.filter(action__startswith="oncall.").values_list("action", flat=True))
    assert sorted(actions) == ["oncall.shift_added", "oncall.shift_changed", "oncall.shift_removed"]


def test_a_shift_ending_before_it_starts_is_refused_naming_the_field(client, admin_user, manager, requester):
    client.force_login(admin_user)
    now = timezone.localtime()
    backwards = client.post(reverse("approvals:on-call"), _shift(manager, ends_at=f"{now:%Y-%m-%dT%H:%M}"))
    assert backwards.status_code == 400 and backwards.context["form"].errors["ends_at"]
    not_on_call = client.post(reverse("approvals:on-call"), _shift(requester))
    assert not_on_call.status_code == 400 and not_on_call.context["form"].errors["user"]
    assert not OnCallShift.objects.exists()
    assert not LedgerEntry.objects.filter(action__startswith="oncall.").exists()
