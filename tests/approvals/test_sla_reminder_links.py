"""An SLA reminder carries the approval request's decision links: for the person reminded and each slot
the reminder names, a signed, single-use, expiring grant and reject link (approvals.email_link_services),
which decide through the same confirmation page; a spent or expired one is refused and writes nothing.
Escalations, which go to managers and chairs who do not hold the slot's role, carry none."""
import re
from datetime import timedelta

import pytest
from django.conf import settings

from approvals import email_link_services
from approvals.choices import SlotStatus
from approvals.models import ApprovalSlot, EmailDecisionLink
from approvals.services import sla
from changemgmt.ledger.models import LedgerEntry
from tests.support.approvals import change_in_approval, ny

SLOT = re.compile(r"^(.+):\nGrant:\s+(\S+)\nReject:\s+(\S+)$", re.MULTILINE)


def reminder_links(message) -> dict[str, dict[str, str]]:
    """{slot label: {"grant": path, "reject": path}} of one reminder mail (the site's address cut off)."""
    return {label: {"grant": grant.removeprefix(settings.SITE_URL), "reject": reject.removeprefix(settings.SITE_URL)}
            for label, grant, reject in SLOT.findall(message.body)}


def slot_of(path) -> ApprovalSlot:
    token = path.rstrip("/").rsplit("/", 1)[1]
    return EmailDecisionLink.objects.get(token_hash=email_link_services._hash(token)).slot


def mails_to(mailoutbox, user, marker):
    return [message for message in mailoutbox if message.to == [user.email] and marker in message.body]


@pytest.fixture
def reminded(frozen, requester, peer, peer2, mailoutbox, django_capture_on_commit_callbacks):
    """Half the SLA has passed: the sweep reminds bob and pat of the change's two peer slots."""
    change = change_in_approval(requester)
    frozen.move_to(ny(2026, 11, 24, 0, 1))
    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep()
    return change


def test_a_reminder_carries_a_grant_and_a_reject_link_per_slot_it_names(reminded, mailoutbox, peer, peer2):
    for person in (peer, peer2):
        [mail] = mails_to(mailoutbox, person, "Reminder:")
        links = reminder_links(mail)
        assert set(links) == {"Peer review", "Peer review #2"}
        assert "works once, only for you, until" in mail.body
        slots = {slot_of(pair["grant"]).pk for pair in links.values()}
        assert slots == set(reminded.approval_slots.values_list("id", flat=True))
        for pair in links.values():
            assert slot_of(pair["grant"]) == slot_of(pair["reject"]) and pair["grant"] != pair["reject"]
    assert {link.notification.kind for link in EmailDecisionLink.objects.filter(token_hash__gt="", user=peer)
            .exclude(notification__kind="approval_requested")} == {"sla_reminder"}


def test_a_reminder_link_decides_through_the_confirmation_page_once(reminded, client, mailoutbox, peer):
    [mail] = mails_to(mailoutbox, peer, "Reminder:")
    grant = reminder_links(mail)["Peer review"]["grant"]
    client.force_login(peer)
    page = client.get(grant)
    assert page.status_code == 200 and "Grant this approval?" in page.content.decode()
    assert client.post(grant, {"reason": "Checked the rollout plan."}).status_code == 302
    slot = slot_of(grant)
    assert (slot.status, slot.decided_by, slot.channel) == (SlotStatus.GRANTED, peer, "email_link")
    written = LedgerEntry.objects.count()
    replay = client.post(grant, {"reason": "again"})
    assert replay.status_code == 409 and "used already" in replay.content.decode()
    assert LedgerEntry.objects.count() == written


def test_an_expired_reminder_link_is_refused_and_writes_nothing(reminded, client, mailoutbox, peer, frozen):
    [mail] = mails_to(mailoutbox, peer, "Reminder:")
    grant = reminder_links(mail)["Peer review"]["grant"]
    frozen.move_to(ny(2026, 11, 24, 0, 1) + timedelta(hours=73))
    client.force_login(peer)
    written = LedgerEntry.objects.count()
    assert client.get(grant).status_code == 409
    refused = client.post(grant, {"reason": "late"})
    assert refused.status_code == 409 and "expired" in refused.content.decode()
    assert LedgerEntry.objects.count() == written and slot_of(grant).status == SlotStatus.PENDING


def test_escalations_carry_no_links(reminded, frozen, mailoutbox, peer, manager, django_capture_on_commit_callbacks):
    peer.manager = manager
    peer.save()
    frozen.move_to(ny(2026, 11, 24, 12, 1))  # the breach: reminders at 100 % and escalation to the managers
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep()
    escalations = [message for message in mailoutbox if message.to == [manager.email]]
    assert escalations and all("Grant:" not in message.body for message in escalations)
    assert not EmailDecisionLink.objects.filter(user=manager).exists()
