"""Kernel models: people, policy, the audit ledger, the event outbox, API tokens, idempotency keys, webhooks."""
from changemgmt.ledger.models import LedgerCheckpoint, LedgerEntry, MerkleNode, TreeHead
from changemgmt.models.idempotency import IdempotencyKey
from changemgmt.models.notifications import Notification, NotificationKind, NotificationPreference
from changemgmt.models.outbox import OutboxEvent
from changemgmt.models.people import Team, User
from changemgmt.models.policy import PolicyRevision, PolicySetting
from changemgmt.models.sessions import UserSession
from changemgmt.models.tokens import ApiToken
from changemgmt.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = ["ApiToken", "IdempotencyKey", "LedgerCheckpoint", "LedgerEntry", "MerkleNode", "Notification",
           "NotificationKind", "NotificationPreference", "OutboxEvent", "PolicyRevision", "PolicySetting", "Team",
           "TreeHead", "User", "UserSession", "WebhookDelivery", "WebhookSubscription"]
