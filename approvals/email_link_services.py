"""Approve from e-mail [issue 10 §7]: the signed, single-use, expiring grant and reject links of an
approval-request mail and of an SLA reminder, and deciding through one.

- `approvals.services.plan_email_links` (inside sync_slots' transaction): for each person asked to decide a
  new slot, one row per action (grant, reject), tied to that person's notification. No token yet.
- `mail_context` (registered for the approval-request mail, run by changemgmt.notifications.mail when it
  renders the mail): mints each row's token, `signing.dumps({link, slot, user, action, nonce}, salt=SALT)` (a
  TimestampSigner over SECRET_KEY), stores only its SHA-256 and its expiry (policy
  `approval_email_links.expiry_hours` from now), and hands the two URLs to the template.
- an SLA reminder (approvals.services.sla) plans the same rows for each person reminded and each slot the
  reminder names, tied to the reminder; `reminder_context` mints them per slot. Escalations get none. Minting is part of
  sending the mail, like the mailer's own stamps; rendering again (a mail re-sent after a crash, with the same
  Message-ID) mints afresh, and the newest mail's links are the ones that work.
- `open_link` (GET of the link's page): every check, writing nothing — signature, the row, the person, single
  use, expiry, the slot still pending, and approvals.rules as of now (separation of duties, holder or
  delegate, auditors never, CAB only by the board).
- `decide_by_link` (POST): the same checks, then approvals.services.decide (the one write path, channel
  "email_link", under the change's lock) and the link spent, in one transaction: a replay finds it spent.

Every refusal raises (ValidationError 400, PermissionDenied 403, Conflict 409), writes nothing, and is logged
in changemgmt.refusals like every other refused write.
"""
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals import delegation, rules, services
from approvals.choices import DecisionChannel, SlotStatus
from approvals.models import ApprovalSlot, EmailDecisionLink
from changemgmt import clock, policy
from changemgmt.errors import Conflict
from changemgmt.refusals import describe, logger

SALT = "approvals.email_decision_link"
POLICY_KEY = "approval_email_links"
AUTH_AT = "approvals.authenticated_at"  # session key: when this session last proved its password

NOT_VALID = "This link is not valid: it was altered, or a newer mail replaced it. Use the newest mail or My approvals."
EXPIRED = "This link has expired. Decide on My approvals or on the change page instead."
USED = "This link has been used already; each link works once."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _settings() -> dict:
    return policy.get(POLICY_KEY)


def fresh_login_required() -> bool:
    """Whether deciding through a link needs a recent login (setting APPROVAL_EMAIL_LINK_FRESH_LOGIN, on by
    default); otherwise any signed-in session of the person the link was sent to will do."""
    return bool(getattr(settings, "APPROVAL_EMAIL_LINK_FRESH_LOGIN", True))


def login_is_fresh(session) -> bool:
    """The session proved its password within policy `approval_email_links.fresh_login_minutes`."""
    at = session.get(AUTH_AT)
    if at is None:
        return False
    age = timezone.now() - datetime.fromtimestamp(float(at), tz=UTC)
    return age <= timedelta(minutes=_settings()["fresh_login_minutes"])


def note_login(sender, request, user, **kwargs) -> None:
    """Receiver of user_logged_in (approvals.apps): the session remembers when it proved its password."""
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_AT] = timezone.now().timestamp()


def _mint(links, now) -> tuple[dict[int, str], datetime]:
    """Mint each link's token now: {link id: URL}, and when they expire. Only the token's SHA-256 is kept."""
    expires = now + timedelta(hours=_settings()["expiry_hours"])
    urls = {}
    with transaction.atomic():
        for link in links:
            token = signing.dumps({"l": link.pk, "s": link.slot_id, "u": link.user_id, "a": link.action,
                                   "n": secrets.token_urlsafe(8)}, salt=SALT)
            link.token_hash, link.issued_at, link.expires_at = _hash(token), now, expires
            link.save(update_fields=["token_hash", "issued_at", "expires_at"])
            urls[link.pk] = settings.SITE_URL + reverse("approvals:email-decision", args=[token])
    return urls, expires


def _unspent(notification) -> list[EmailDecisionLink]:
    return list(EmailDecisionLink.objects.filter(notification=notification, used_at__isnull=True)
                .select_related("slot").order_by("slot_id", "action"))


def mail_context(notification) -> dict:
    """The approval-request mail's links: {"decision_links": {"grant": url, "reject": url},
    "decision_links_expire": local time}, minted now; {} when the mail has none (another kind of request,
    a slot decided or no longer required before the mail went out)."""
    links = _unspent(notification)
    if not links or any(link.slot.status != SlotStatus.PENDING for link in links):
        return {}
    urls, expires = _mint(links, timezone.now())
    return {"decision_links": {link.action: urls[link.pk] for link in links},
            "decision_links_expire": clock.local(expires)}


def reminder_context(notification) -> dict:
    """An SLA reminder's links, one grant and one reject per slot it names that is still pending when the
    mail goes out: {"slot_links": [{"label", "grant", "reject"}], "decision_links_expire"}, minted now (as
    `mail_context`; they decide through the same confirmation page). {} when none is left: an escalation,
    whose managers and chairs do not hold the slot's role, never has any (approvals.services.sla)."""
    links = [link for link in _unspent(notification) if link.slot.status == SlotStatus.PENDING]
    if not links:
        return {}
    urls, expires = _mint(links, timezone.now())
    per_slot: dict[int, dict] = {}
    for link in links:
        label = link.slot.get_role_display() + (f" #{link.slot.ordinal}" if link.slot.ordinal > 1 else "")
        per_slot.setdefault(link.slot_id, {"label": label})[link.action] = urls[link.pk]
    return {"slot_links": list(per_slot.values()), "decision_links_expire": clock.local(expires)}


def _log(actor, refusal: Exception) -> None:
    logger.warning("refused approval by e-mail link by %s: %s", getattr(actor, "username", None) or "anonymous",
                   describe(refusal))


def _link_of(token: str, actor) -> EmailDecisionLink:
    """The link a token names, if it is genuine, meant for `actor`, unspent and unexpired, and its slot pending."""
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(hours=_settings()["expiry_hours"]))
    except signing.SignatureExpired as expired:
        raise Conflict(EXPIRED) from expired
    except signing.BadSignature as bad:
        raise ValidationError({"link": NOT_VALID}) from bad
    link = (EmailDecisionLink.objects.select_related("slot__change", "slot__decided_by", "user")
            .filter(token_hash=_hash(token)).first())
    if link is None or not isinstance(data, dict) or \
            [data.get("l"), data.get("s"), data.get("u"), data.get("a")] != [link.pk, link.slot_id, link.user_id,
                                                                           link.action]:
        raise ValidationError({"link": NOT_VALID})
    if link.user_id != actor.pk:
        who = link.user.get_full_name() or link.user.username
        raise PermissionDenied(f"This link was sent to {who}: only they may use it, signed in as themselves.")
    if link.used_at is not None:
        raise Conflict(USED)
    if link.expires_at is None or timezone.now() >= link.expires_at:
        raise Conflict(EXPIRED)
    slot = link.slot
    if slot.status == SlotStatus.SUPERSEDED:
        raise Conflict("This approval is no longer required (the change moved on): nothing to decide.")
    if slot.status != SlotStatus.PENDING:
        who = f" by {slot.decided_by.username}" if slot.decided_by_id else ""
        raise Conflict(f"This approval is already {slot.get_status_display().lower()}{who}: nothing to decide.")
    return link


def _check_rules(link: EmailDecisionLink, actor):
    """approvals.rules as of now, for the link's action: what the confirmation page promises the POST will
    find (the POST's decide checks them again, under the lock)."""
    slot = link.slot
    siblings = list(slot.change.approval_slots.exclude(status=SlotStatus.SUPERSEDED).select_related("decided_by"))
    for sibling in siblings:
        sibling.change = slot.change
    acting_for = delegation.acting_for(actor, slot)
    refusals = rules.decision_refusals(actor, slot, siblings=siblings, verdict=link.action, on_behalf_of=acting_for)
    if refusals:
        raise PermissionDenied(" ".join(refusals))
    return acting_for


def open_link(token: str, actor) -> tuple[EmailDecisionLink, object]:
    """What the link's page shows: (link, the colleague the actor would act for or None). Writes nothing."""
    try:
        link = _link_of(token, actor)
        return link, _check_rules(link, actor)
    except (ValidationError, PermissionDenied, Conflict) as refusal:
        _log(actor, refusal)
        raise


def refuse(actor, refusal: Exception) -> None:
    """Log a refusal the page itself made (a wrong password), like the service's own."""
    _log(actor, refusal)


def decide_by_link(*, token: str, actor, reason: str = "") -> ApprovalSlot:
    """Decide the link's slot with the link's action, through approvals.services.decide, and spend the link."""
    try:
        with transaction.atomic():
            link = _link_of(token, actor)
            slot = services.decide(slot_id=link.slot_id, actor=actor, verdict=link.action, reason=reason,
                                   channel=DecisionChannel.EMAIL_LINK)
            if not EmailDecisionLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()):
                raise Conflict(USED)  # a twin request spent it first: this decision rolls back
            return slot
    except (ValidationError, PermissionDenied, Conflict) as refusal:
        _log(actor, refusal)
        raise
