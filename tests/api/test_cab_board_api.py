"""The CAB board over the API: anyone with a role reads the seats; appointing and retiring go through
cab.services.board (administrator for the chair, the chair for the other seats), one ledger entry
each; a refusal names the rule and writes nothing."""
import pytest

from cab.choices import Seat
from cab.models import BoardMember
from changemgmt.models import LedgerEntry
from tests.support.api import authenticated, post_json

pytestmark = pytest.mark.django_db


def _last_action() -> str:
    return LedgerEntry.objects.order_by("-seq").values_list("action", flat=True).first()


def test_an_administrator_appoints_the_chair_and_the_chair_another_seat(admin_user, cab_chair, cab_member):
    appointed = post_json(authenticated(admin_user), "/api/cab/board/", {"user": cab_chair.pk, "seat": Seat.CHAIR})
    assert appointed.status_code == 201 and appointed.json()["seat"] == Seat.CHAIR
    assert _last_action() == "cab.member_appointed"
    deputy = post_json(authenticated(cab_chair), "/api/cab/board/",
                       {"user": cab_member.pk, "seat": Seat.OPERATIONS, "deputy": True})
    assert deputy.status_code == 201 and deputy.json()["deputy"] is True
    rows = authenticated(cab_member).get("/api/cab/board/").json()["results"]
    assert {(row["username"], row["seat"]) for row in rows} == {(cab_chair.username, Seat.CHAIR),
                                                                (cab_member.username, Seat.OPERATIONS)}
    member = deputy.json()["id"]
    assert authenticated(cab_member).get(f"/api/cab/board/{member}/").json()["active"] is True


def test_a_second_principal_and_a_bad_seat_are_named(admin_user, cab_chair, cab_member):
    BoardMember.objects.create(user=cab_chair, seat=Seat.OPERATIONS)
    entries = LedgerEntry.objects.count()
    client = authenticated(admin_user)
    taken = post_json(client, "/api/cab/board/", {"user": cab_member.pk, "seat": Seat.OPERATIONS})
    unknown = post_json(client, "/api/cab/board/", {"user": cab_member.pk, "seat": "king"})
    assert taken.status_code == 400 and "principal" in taken.json()["seat"][0]
    assert unknown.status_code == 400 and "seat" in unknown.json()
    assert LedgerEntry.objects.count() == entries and BoardMember.objects.count() == 1


@pytest.mark.parametrize("persona", ["requester", "cab_member", "auditor"])
def test_only_the_chair_or_an_administrator_appoints(request, persona, peer):
    entries = LedgerEntry.objects.count()
    client = authenticated(request.getfixturevalue(persona))
    response = post_json(client, "/api/cab/board/", {"user": peer.pk, "seat": Seat.SECURITY})
    assert response.status_code == 403 and response.json()["detail"]
    assert not BoardMember.objects.exists() and LedgerEntry.objects.count() == entries


def test_retiring_a_seat_once_and_not_twice(cab_chair, cab_member):
    BoardMember.objects.create(user=cab_chair, seat=Seat.CHAIR)
    member = BoardMember.objects.create(user=cab_member, seat=Seat.OPERATIONS)
    client = authenticated(cab_chair)
    retired = client.post(f"/api/cab/board/{member.pk}/retire/")
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert _last_action() == "cab.member_retired"
    entries = LedgerEntry.objects.count()
    assert client.post(f"/api/cab/board/{member.pk}/retire/").status_code == 409
    assert LedgerEntry.objects.count() == entries


def test_the_chair_does_not_retire_a_chair_seat(cab_chair, cab_member):
    chair = BoardMember.objects.create(user=cab_chair, seat=Seat.CHAIR)
    BoardMember.objects.create(user=cab_member, seat=Seat.CHAIR, deputy=True)
    response = authenticated(cab_member).post(f"/api/cab/board/{chair.pk}/retire/")
    assert response.status_code == 403 and "administrator" in response.json()["detail"]
    assert BoardMember.objects.get(pk=chair.pk).active
