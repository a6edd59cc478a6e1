"""Kernel models: people, policy, the audit ledger, the event outbox, API tokens."""
from changemgmt.models.ledger import LedgerCheckpoint, LedgerEntry
from changemgmt.models.merkle import MerkleNode, TreeHead
from changemgmt.models.notifications import Notification, NotificationKind, NotificationPreference
from changemgmt.models.outbox import OutboxEvent
from changemgmt.models.people import Team, User
from changemgmt.models.policy import PolicyRevision, PolicySetting
from changemgmt.models.tokens import ApiToken

__all__ = ["ApiToken", "LedgerCheckpoint", "LedgerEntry", "MerkleNode", "Notification", "NotificationKind",
           "NotificationPreference", "OutboxEvent", "PolicyRevision", "PolicySetting", "Team", "TreeHead", "User"]
