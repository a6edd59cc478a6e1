"""Approve from e-mail [issue 10 §7]: the approval-request mail carries signed, single-use, expiring grant
and reject links for that slot and that person; the link opens a confirmation page (GET decides nothing)
that re-checks every rule, and the POST decides through approvals.services.decide, recording the channel.
Bad links (tampered, expired, replayed, someone else's, slot decided) answer 400/403/409, write nothing,
and are logged in changemgmt.refusals."""
import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from approvals import email_link_services, presenters
from approvals.choices import SlotStatus
from approvals.models import ApprovalSlot, EmailDecisionLink
from approvals.services import decide
from approvals.services import delegation as delegation_services
from changemgmt.errors import Conflict
from changemgmt.ledger.models import LedgerEntry
from changemgmt.models import Notification
from changemgmt.notifications import mail
from changemgmt.roles import Role
from changes import services as change_services
from tests.support import factories as f
from tests.support.api import authenticated
from tests.support.approvals import change_in_approval
from tests.support.concurrency import race
from tests.support.lifecycle import board_decides

LINK = re.compile(r"^(Grant|Reject):\s+(\S+)$", re.MULTILINE)


def links_in(message) -> dict[str, str]:
    """{"grant": path, "reject": path} of one mail's decision links (the site's address cut off)."""
    return {action.lower(): url.removeprefix(settings.SITE_URL) for action, url in LINK.findall(message.body)}


@pytest.fixture
def change(frozen, requester, peer, peer2, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the request mails go out after commit
        return change_in_approval(requester)


@pytest.fixture
def bobs_mail(change, mailoutbox, peer):
    mine = [message for message in mailoutbox if message.to == [peer.email]]
    assert len(mine) == 2  # one per peer slot
    return mine[0]


@pytest.fixture
def bobs_links(bobs_mail) -> dict[str, str]:
    return links_in(bobs_mail)


def signed_in(client, user):
    client.force_login(user)
    return client


def written():
    """Everything a decision by link would write: ledger, slots (and their history), spent links."""
    return (LedgerEntry.objects.count(), list(ApprovalSlot.objects.order_by("id").values_list("status", "channel")),
            ApprovalSlot.history.count(), EmailDecisionLink.objects.filter(used_at__isnull=False).count())


def slot_of(path) -> ApprovalSlot:
    token = path.rstrip("/").rsplit("/", 1)[1]
    return EmailDecisionLink.objects.get(token_hash=email_link_services._hash(token)).slot


# The mail and its links


def test_the_request_mail_carries_both_links_for_that_slot_and_that_person(change, mailoutbox, peer, peer2):
    for person in (peer, peer2):
        mails = [message for message in mailoutbox if message.to == [person.email]]
        assert len(mails) == 2
        slots = set()
        for message in mails:
            links = links_in(message)
            assert set(links) == {"grant", "reject"} and links["grant"] != links["reject"]
            assert "works once, only for you, until" in message.body
            rows = {action: EmailDecisionLink.objects.get(token_hash=email_link_services._hash(
                path.rstrip("/").rsplit("/", 1)[1])) for action, path in links.items()}
            assert {row.action for row in rows.values()} == {"grant", "reject"}
            assert {row.user_id for row in rows.values()} == {person.pk}
            assert rows["grant"].slot_id == rows["reject"].slot_id
            slots.add(rows["grant"].slot_id)
        assert slots == set(change.approval_slots.values_list("id", flat=True))  # one mail per slot


def test_only_a_hash_of_each_token_is_stored(bobs_links):
    for path in bobs_links.values():
        token = path.rstrip("/").rsplit("/", 1)[1]
        assert not EmailDecisionLink.objects.filter(token_hash=token).exists()
        assert not Notification.objects.filter(body__contains=token).exists()
        link = EmailDecisionLink.objects.get(token_hash=email_link_services._hash(token))
        assert len(link.token_hash) == 64 and link.used_at is None


def test_links_expire_after_the_policy_hours(frozen, peer, bobs_links):
    link = slot_of(bobs_links["grant"]).email_links.filter(action="grant", user=peer).get()
    assert link.expires_at == f.NOW + timedelta(hours=72)


def test_mailing_again_mints_new_links_and_the_old_ones_stop_working(client, peer, bobs_links):
    notification = Notification.objects.filter(user=peer, kind="approval_requested").order_by("id").first()
    assert slot_of(bobs_links["grant"]).email_links.filter(notification=notification).exists()  # this mail's
    _subject, body = mail.render_email(notification)  # a re-send (same Message-ID) after a crash
    signed_in(client, peer)
    for path in bobs_links.values():
        assert client.get(path).status_code == 400
    for path in links_in(type("Mail", (), {"body": body})).values():
        assert client.get(path).status_code == 200


def test_a_cab_slot_gets_no_links(frozen, requester, peer, peer2, manager, security, cab_chair):
    change = change_in_approval(requester, risk=f.HIGH_RISK)
    cab = change.approval_slots.get(role="cab")
    assert not cab.email_links.exists()
    assert change.approval_slots.exclude(role="cab").first().email_links.count() >= 2


def test_a_slot_decided_before_the_mail_goes_out_gets_no_links(frozen, requester, peer, peer2):
    change = change_in_approval(requester)  # mails not sent yet (no commit)
    slot = change.approval_slots.order_by("id").first()
    decide(slot_id=slot.pk, actor=peer, verdict="grant")
    notification = slot.email_links.filter(user=peer2).first().notification
    _subject, body = mail.render_email(notification)
    assert "Grant:" not in body and "Decide here:" in body


# The confirmation page and the decision


def test_get_shows_the_confirmation_and_decides_nothing(client, peer, bobs_links):
    before = written()
    page = signed_in(client, peer).get(bobs_links["grant"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Grant this approval?" in html and 'type="submit"' in html
    assert written() == before


def test_an_anonymous_visitor_is_sent_to_log_in_first(client, bobs_links):
    response = client.get(bobs_links["grant"])
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_post_grants_through_the_one_write_path_and_records_the_channel(client, peer, bobs_links):
    slot = slot_of(bobs_links["grant"])
    response = signed_in(client, peer).post(bobs_links["grant"], {"reason": "Fine by me."})
    assert response.status_code == 302 and response.url.endswith("#approvals")
    slot.refresh_from_db()
    assert (slot.status, slot.decided_by, slot.channel, slot.reason) == (SlotStatus.GRANTED, peer, "email_link",
                                                                         "Fine by me.")
    entry = LedgerEntry.objects.order_by("-seq").filter(action="approval.granted").first()
    assert entry.payload["via"] == "email_link" and entry.payload["slot_id"] == slot.pk
    assert slot.email_links.get(action="grant", user=peer).used_at is not None
    # The decision shows how it was made: in the change page's approval history and over the API.
    clocks = presenters.slot_clocks([slot], slot.decided_at)
    assert clocks[0]["history"][-1][1] == "Granted by bob via e-mail link"
    api = authenticated(peer).get(f"/api/changes/{slot.change_id}/approvals/").json()
    assert {row["id"]: row["channel"] for row in api}[slot.pk] == "email_link"


def test_reject_needs_a_reason_and_then_rejects(client, peer, bobs_links):
    slot = slot_of(bobs_links["reject"])
    signed_in(client, peer)
    before = written()
    refused = client.post(bobs_links["reject"], {"reason": " "})
    assert refused.status_code == 400 and "A rejection needs a reason" in refused.content.decode()
    assert written() == before
    assert client.post(bobs_links["reject"], {"reason": "No rollback tested."}).status_code == 302
    slot.refresh_from_db()
    assert (slot.status, slot.channel) == (SlotStatus.REJECTED, "email_link")


@pytest.mark.parametrize(("door", "channel"), [("page", "page"), ("queue", "queue"), ("api", "api")])
def test_every_door_records_its_channel(client, change, peer, door, channel):
    slot = change.approval_slots.order_by("id").first()
    if door == "api":
        authenticated(peer).post(f"/api/approvals/{slot.pk}/decide/", {"verdict": "grant"}, format="json")
    else:
        name = "approvals:decide" if door == "page" else "approvals:queue-decide"
        signed_in(client, peer).post(reverse(name, args=[slot.pk]), {"verdict": "grant"})
    slot.refresh_from_db()
    assert (slot.status, slot.channel) == (SlotStatus.GRANTED, channel)


def test_my_approvals_shows_how_a_slot_was_decided(client, change, peer):
    slot = change.approval_slots.order_by("id").first()
    row = signed_in(client, peer).post(reverse("approvals:queue-decide", args=[slot.pk]), {"verdict": "grant"},
                                       HTTP_HX_REQUEST="true")
    assert "via My approvals" in row.content.decode()


def test_the_board_decision_records_its_channel(frozen, requester, peer, peer2, manager, security, cab_chair):
    change = change_in_approval(requester, risk=f.HIGH_RISK)
    cab = change.approval_slots.get(role="cab")
    board_decides(cab)
    cab.refresh_from_db()
    assert (cab.status, cab.channel) == (SlotStatus.GRANTED, "cab")
    assert LedgerEntry.objects.filter(action="approval.granted", payload__slot_id=cab.pk).get().payload["via"] == "cab"


# Bad links: a clear message, the right status, nothing written, a logged refusal


def test_a_replayed_link_is_refused(client, peer, bobs_links, caplog):
    signed_in(client, peer).post(bobs_links["grant"], {"reason": ""})
    before = written()
    with caplog.at_level(logging.WARNING, logger="changemgmt.refusals"):
        again = client.post(bobs_links["grant"], {"reason": ""})
    assert again.status_code == 409 and "used already" in again.content.decode()
    assert client.get(bobs_links["grant"]).status_code == 409
    assert written() == before
    assert "refused approval by e-mail link by bob: This link has been used already" in caplog.text


def test_the_other_link_of_a_decided_slot_is_refused(client, peer, bobs_links):
    signed_in(client, peer).post(bobs_links["grant"], {"reason": ""})
    before = written()
    response = client.post(bobs_links["reject"], {"reason": "Changed my mind."})
    assert response.status_code == 409 and "already granted by bob" in response.content.decode()
    assert written() == before


def test_an_expired_link_is_refused(frozen, client, peer, bobs_links, caplog):
    signed_in(client, peer)
    frozen.move_to(f.NOW + timedelta(hours=72, seconds=1))
    client.force_login(peer)  # a fresh login: only the link's age is at stake
    before = written()
    with caplog.at_level(logging.WARNING, logger="changemgmt.refusals"):
        response = client.post(bobs_links["grant"], {"reason": ""})
    assert response.status_code == 409 and "This link has expired" in response.content.decode()
    assert written() == before
    assert "This link has expired" in caplog.text


def test_a_link_just_before_expiry_still_works(frozen, client, peer, bobs_links):
    frozen.move_to(f.NOW + timedelta(hours=71, minutes=59))
    assert signed_in(client, peer).post(bobs_links["grant"], {"reason": ""}).status_code == 302


def test_someone_elses_link_is_refused(client, peer2, bobs_links, caplog):
    signed_in(client, peer2)
    before = written()
    with caplog.at_level(logging.WARNING, logger="changemgmt.refusals"):
        assert client.get(bobs_links["grant"]).status_code == 403
        response = client.post(bobs_links["grant"], {"reason": ""})
    assert response.status_code == 403 and "This link was sent to Bob" in response.content.decode()
    assert written() == before
    assert "refused approval by e-mail link by pat" in caplog.text


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
    lambda token: "x" + token,  # the payload
    lambda token: "not-a-token",
])
def test_a_tampered_link_is_refused(client, peer, bobs_links, tamper, caplog):
    token = bobs_links["grant"].rstrip("/").rsplit("/", 1)[1]
    path = reverse("approvals:email-decision", args=[tamper(token)])
    signed_in(client, peer)
    before = written()
    with caplog.at_level(logging.WARNING, logger="changemgmt.refusals"):
        response = client.post(path, {"reason": ""})
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()
    assert written() == before
    assert "This link is not valid" in caplog.text


def test_a_slot_decided_elsewhere_first_is_refused(client, peer2, change, mailoutbox, peer):
    mine = [links_in(m) for m in mailoutbox if m.to == [peer.email]]
    slot = slot_of(mine[0]["grant"])
    decide(slot_id=slot.pk, actor=peer2, verdict="grant")
    before = written()
    response = signed_in(client, peer).post(mine[0]["grant"], {"reason": ""})
    assert response.status_code == 409 and "already granted by pat" in response.content.decode()
    assert written() == before


# Every rule again at the moment of confirming


def test_the_change_cancelled_between_the_page_and_the_confirm_is_refused(client, requester, peer, bobs_links):
    signed_in(client, peer)
    assert client.get(bobs_links["grant"]).status_code == 200
    slot = slot_of(bobs_links["grant"])
    change_services.run_transition(change_id=slot.change_id, name="cancel", actor=requester,
                                   data={"reason": "Not needed any more."})
    before = written()
    response = client.post(bobs_links["grant"], {"reason": ""})
    assert response.status_code == 409 and "no longer required" in response.content.decode()
    assert written() == before


def test_separation_of_duties_is_checked_again(client, peer, change, mailoutbox):
    first, second = [links_in(m) for m in mailoutbox if m.to == [peer.email]]
    signed_in(client, peer)
    assert client.post(first["grant"], {"reason": ""}).status_code == 302
    before = written()
    page = client.get(second["grant"])  # bob already fills the other slot of this change
    assert page.status_code == 403 and "One person may not fill two approval slots" in page.content.decode()
    assert client.post(second["grant"], {"reason": ""}).status_code == 403
    assert written() == before


def test_a_person_who_lost_the_role_is_refused(client, peer, bobs_links):
    peer.groups.clear()
    peer.groups.add(Group.objects.get(name=Role.REQUESTER))
    before = written()
    response = signed_in(client, peer).post(bobs_links["grant"], {"reason": ""})
    assert response.status_code == 403 and "Only a holder of the Peer review role" in response.content.decode()
    assert written() == before


def test_a_person_deciding_by_delegation_is_allowed_and_recorded_so(frozen, client, peer, bobs_links):
    away = f.make_user("quinn", Role.PEER_REVIEWER, team="Platform")
    delegation_services.create_delegation(actor=away, delegate=peer, starts_on=f.NOW.date(), ends_on=f.NOW.date())
    peer.groups.clear()
    peer.groups.add(Group.objects.get(name=Role.REQUESTER))  # bob now decides only in quinn's role
    assert signed_in(client, peer).post(bobs_links["grant"], {"reason": ""}).status_code == 302
    slot = slot_of(bobs_links["grant"])
    assert (slot.status, slot.decided_by, slot.on_behalf_of, slot.channel) == (SlotStatus.GRANTED, peer, away,
                                                                              "email_link")


@pytest.mark.django_db(transaction=True)
def test_two_clicks_of_one_link_at_once_decide_once(peer, bobs_links):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks race only on PostgreSQL (SQLite serializes writers)")
    token = bobs_links["grant"].rstrip("/").rsplit("/", 1)[1]

    def click():
        try:
            return email_link_services.decide_by_link(token=token, actor=peer)
        except Conflict as refusal:
            return refusal

    outcomes = race(click, click)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ApprovalSlot", "Conflict"]
    slot = slot_of(bobs_links["grant"])
    assert LedgerEntry.objects.filter(action="approval.granted", payload__slot_id=slot.pk).count() == 1


# A fresh login, as the setting asks


def test_a_stale_login_must_give_the_password_again(frozen, client, peer, bobs_links, settings):
    settings.APPROVAL_EMAIL_LINK_FRESH_LOGIN = True
    signed_in(client, peer)
    frozen.move_to(f.NOW + timedelta(minutes=16))  # policy: 15 minutes
    page = client.get(bobs_links["grant"])
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    before = written()
    refused = client.post(bobs_links["grant"], {"reason": "", "password": "wrong"})
    assert refused.status_code == 403 and "Password incorrect" in refused.content.decode()
    assert written() == before
    assert client.post(bobs_links["grant"], {"reason": "", "password": f.PASSWORD}).status_code == 302
    assert slot_of(bobs_links["grant"]).status == SlotStatus.GRANTED


def test_a_recent_login_needs_no_password(frozen, client, peer, bobs_links, settings):
    settings.APPROVAL_EMAIL_LINK_FRESH_LOGIN = True
    signed_in(client, peer)
    frozen.move_to(f.NOW + timedelta(minutes=14))
    assert 'name="password"' not in client.get(bobs_links["grant"]).content.decode()
    assert client.post(bobs_links["grant"], {"reason": ""}).status_code == 302


def test_without_the_setting_any_login_will_do(frozen, client, peer, bobs_links, settings):
    settings.APPROVAL_EMAIL_LINK_FRESH_LOGIN = False
    signed_in(client, peer)
    frozen.move_to(f.NOW + timedelta(hours=5))
    assert 'name="password"' not in client.get(bobs_links["grant"]).content.decode()
    assert client.post(bobs_links["grant"], {"reason": ""}).status_code == 302


def test_the_admin_shows_the_links_read_only_without_their_hash(admin_client, peer, bobs_links):
    link = slot_of(bobs_links["grant"]).email_links.get(action="grant", user=peer)
    listing = admin_client.get("/admin/approvals/emaildecisionlink/")
    assert listing.status_code == 200 and f"/emaildecisionlink/{link.pk}/change/" in listing.content.decode()
    detail = admin_client.get(f"/admin/approvals/emaildecisionlink/{link.pk}/change/")
    assert detail.status_code == 200 and link.token_hash not in detail.content.decode()
    assert admin_client.get("/admin/approvals/emaildecisionlink/add/").status_code == 403
