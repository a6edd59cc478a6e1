"""CAB choices, each with its label and badge colour so templates stay dumb."""
from django.db import models


class Seat(models.TextChoices):
    """The board's member roles [POLICY §5]; each seat has one principal and any number of deputies."""

    CHAIR = "chair", "Chair / release manager"
    ENGINEERING = "engineering", "Engineering lead"
    OPERATIONS = "operations", "Operations lead"
    SECURITY = "security", "Security representative"
    QA = "qa", "QA representative"
    BUSINESS = "business", "Business representative"


class MeetingKind(models.TextChoices):
    REGULAR = "regular", "Weekly CAB"
    EMERGENCY = "emergency", "Emergency CAB"
    FREEZE_REVIEW = "freeze_review", "Freeze review"


KIND_COLOURS = {MeetingKind.REGULAR: "blue", MeetingKind.EMERGENCY: "red", MeetingKind.FREEZE_REVIEW: "cyan"}


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    ENDED = "ended", "Ended"
    PUBLISHED = "published", "Minutes published"


STATUS_COLOURS = {MeetingStatus.SCHEDULED: "grey", MeetingStatus.IN_PROGRESS: "orange",
                  MeetingStatus.ENDED: "purple", MeetingStatus.PUBLISHED: "green"}
# Meetings whose agenda and votes may still move.
OPEN_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


class Section(models.IntegerChoices):
    """The six agenda sections of POLICY §5, plus items the chair adds by hand."""

    CLOSED = 1, "Changes closed since the last meeting"
    EMERGENCY = 2, "Emergency changes since the last meeting"
    AWAITING = 3, "High/critical changes awaiting CAB approval"
    CALENDAR = 4, "Change calendar and conflicts"
    FREEZES = 5, "Upcoming freezes"
    ACTIONS = 6, "Open action items and concerns"
    OTHER = 7, "Other business"


class VoteChoice(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    ABSTAIN = "abstain", "Abstain"


VOTE_COLOURS = {VoteChoice.APPROVE: "green", VoteChoice.REJECT: "red", VoteChoice.ABSTAIN: "grey"}


class Outcome(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    DEFER = "defer", "Deferred to the next meeting"


OUTCOME_COLOURS = {Outcome.APPROVE: "green", Outcome.REJECT: "red", Outcome.DEFER: "amber"}


class ActionKind(models.TextChoices):
    ACTION = "action", "Action item"
    CONCERN = "concern", "Concern"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


ACTION_COLOURS = {ActionStatus.OPEN: "amber", ActionStatus.DONE: "green", ActionStatus.CANCELLED: "grey"}
