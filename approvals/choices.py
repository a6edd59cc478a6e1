"""Approval choices with labels and badge colours."""
from django.db import models

from changemgmt.roles import Role


class SlotRole(models.TextChoices):
    PEER = "peer", "Peer review"
    MANAGER = "manager", "Manager"
    SECURITY = "security", "Security"
    DBA = "dba", "DBA"
    OPERATIONS = "operations", "Operations"
    CAB = "cab", "CAB"
    CTO = "cto", "CTO"


# Which user role may fill a slot of each kind.
SLOT_HOLDERS: dict[str, tuple[str, ...]] = {
    SlotRole.PEER: (Role.PEER_REVIEWER,),
    SlotRole.MANAGER: (Role.MANAGER,),
    SlotRole.SECURITY: (Role.SECURITY, Role.CISO),
    SlotRole.DBA: (Role.DBA,),
    SlotRole.OPERATIONS: (Role.OPERATIONS,),
    SlotRole.CAB: (Role.CAB_CHAIR,),
    SlotRole.CTO: (Role.CTO,),
}


class SlotStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    GRANTED = "granted", "Granted"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "No longer required"


STATUS_COLOURS = {SlotStatus.PENDING: "amber", SlotStatus.GRANTED: "green", SlotStatus.REJECTED: "red",
                  SlotStatus.SUPERSEDED: "grey"}


class Verdict(models.TextChoices):
    GRANT = "grant", "Grant"
    REJECT = "reject", "Reject"


class DecisionChannel(models.TextChoices):
    """How a slot's decision was made: which door it came through (recorded with the decision)."""

    PAGE = "page", "change page"
    QUEUE = "queue", "My approvals"
    API = "api", "API"
    EMAIL_LINK = "email_link", "e-mail link"
    CAB = "cab", "CAB decision"


class EmergencyRole(models.TextChoices):
    """The capacity in which someone gives an emergency change its verbal go-ahead [POLICY §7]."""

    MANAGER = "manager", "Manager"
    SECURITY = "security", "Security"
    CTO = "cto", "CTO"
    CISO = "ciso", "CISO"
