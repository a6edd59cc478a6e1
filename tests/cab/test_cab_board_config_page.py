"""The CAB board configuration page: the chair and administrators appoint and retire seats through
cab.services.board (ledger entries); others get 403; a refused appointment names the field."""
import pytest
from django.urls import reverse

from cab.choices import Seat
from cab.models import BoardMember
from changemgmt.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_board_page_is_for_the_chair_and_administrators(client, board, cab_chair, admin_user, cab_member):
    client.force_login(cab_chair)
    page = client.get(reverse("cab:board"))
    assert page.status_code == 200
    assert "Each seat has one principal" in page.content.decode()
    client.force_login(admin_user)
    assert client.get(reverse("cab:board")).status_code == 200
    client.force_login(cab_member)
    assert client.get(reverse("cab:board")).status_code == 403


def test_the_chair_appoints_a_seat_audited(client, board, cab_chair, security):
    client.force_login(cab_chair)
    response = client.post(reverse("cab:board"), {"user": security.pk, "seat": Seat.SECURITY, "deputy": "on"})
    assert response.status_code == 303
    assert BoardMember.objects.get(user=security, seat=Seat.SECURITY).deputy
    assert LedgerEntry.objects.filter(action="cab.member_appointed", payload__user=security.username).exists()


def test_appointing_the_chair_seat_is_for_administrators_only(client, board, cab_chair, security):
    client.force_login(cab_chair)
    before = LedgerEntry.objects.count()
    response = client.post(reverse("cab:board"), {"user": security.pk, "seat": Seat.CHAIR})
    assert response.status_code == 403
    assert LedgerEntry.objects.count() == before


def test_a_second_principal_is_refused_naming_the_seat(client, board, admin_user, security):
    client.force_login(admin_user)
    before = (BoardMember.objects.count(), LedgerEntry.objects.count())
    response = client.post(reverse("cab:board"), {"user": security.pk, "seat": Seat.CHAIR})
    assert response.status_code == 400
    assert "already has a principal" in " ".join(response.context["form"].errors["seat"])
    bad = client.post(reverse("cab:board"), {"user": security.pk, "seat": "janitor"})
    assert bad.status_code == 400 and bad.context["form"].errors["seat"]
    assert (BoardMember.objects.count(), LedgerEntry.objects.count()) == before


def test_retiring_a_seat_from_the_page_returns_to_it(client, board, cab_chair, cab_member):
    client.force_login(cab_chair)
    member = BoardMember.objects.get(user=cab_member)
    assert f"Retire {cab_member.get_full_name()}" in client.get(reverse("cab:board")).content.decode()
    response = client.post(reverse("cab:board-retire", args=[member.pk]), {"next": reverse("cab:board")})
    assert response.status_code == 303 and response["Location"] == reverse("cab:board")
    member.refresh_from_db()
    assert not member.active
    assert LedgerEntry.objects.filter(action="cab.member_retired").count() == 1
