"""CAB models: the board, meetings, their agenda snapshot, votes, decisions, minutes, action items.

Every write goes through cab.services (which records it in the ledger) and each model keeps its row
history (django-simple-history); these models carry constraints that make a second vote, a
second decision, a second regular meeting in one slot or a second review of one freeze fail loudly
even if two requests race past the services' locks.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cab.choices import ActionKind, ActionStatus, MeetingKind, MeetingStatus, Outcome, Seat, Section, VoteChoice

User = settings.AUTH_USER_MODEL


class BoardMember(models.Model):
    """A person holding a seat on the board, as its principal or as a deputy."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cab_seats")
    seat = models.CharField(max_length=20, choices=Seat.choices)
    deputy = models.BooleanField(default=False, help_text="Stands in for the seat's principal")
    active = models.BooleanField(default=True)
    appointed_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["seat", "deputy", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "seat"], name="cab_member_unique_seat"),
            models.UniqueConstraint(fields=["seat"], condition=Q(deputy=False, active=True),
                                    name="cab_one_principal_per_seat"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_seat_display()}{', deputy' if self.deputy else ''})"


class Meeting(models.Model):
    """One CAB meeting: weekly, emergency or freeze review. Its agenda is a snapshot taken once."""

    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    reason = models.TextField(blank=True, help_text="Why an emergency CAB or freeze review was convened")
    emergency_change = models.ForeignKey("changes.ChangeRequest", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="emergency_cab_meetings")
    freeze = models.ForeignKey("changes.Freeze", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="cab_reviews")
    convened_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(null=True, blank=True, help_text="Start of the 'since the last meeting' window")
    agenda_generated_at = models.DateTimeField(null=True, blank=True)
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            # The beat job may run twice (or in two workers): one regular meeting per slot.
            models.UniqueConstraint(fields=["starts_at"], condition=Q(kind="regular"), name="cab_one_regular_per_slot"),
            models.UniqueConstraint(fields=["freeze"], condition=Q(freeze__isnull=False),
                                    name="cab_one_review_per_freeze"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="cab_meeting_end_after_start"),
        ]
        indexes = [
            # The agenda sweep: scheduled meetings without an agenda, soonest first.
            models.Index(fields=["starts_at"], name="cab_agenda_due",
                         condition=Q(agenda_generated_at__isnull=True, status="scheduled")),
            # "Since the last meeting" and the meeting list.
            models.Index(fields=["kind", "starts_at"], name="cab_meeting_kind_start"),
            # The mail sweep (cab.send_due_mail): meetings whose invitations are not out yet.
            models.Index(fields=["starts_at"], name="cab_invitations_due",
                         condition=Q(invitations_sent_at__isnull=True)),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == MeetingStatus.PUBLISHED


class Attendance(models.Model):
    """Whether a board member attended, and which seat they represented."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    seat = models.CharField(max_length=20, choices=Seat.choices)
    deputy = models.BooleanField(default=False)
    present = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "seat", "deputy", "user_id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user", "seat"], name="cab_attendance_once")]

    def __str__(self):
        return f"{self.user} {'present' if self.present else 'absent'}"


class SnapshotField(models.JSONField):
    """A JSONField that PostgreSQL bulk inserts as a plain multi-row INSERT. Django otherwise sends each
    column as one array (UNNEST), and psycopg escapes a whole agenda's JSON (~500 KiB) element by
    element: most of agenda generation's time (bench/README.md). Stored and read as a JSONField (the
    migration state names JSONField: nothing in the database changes)."""

    def get_placeholder(self, value, compiler, connection):
        return "%s"  # a placeholder per value: Django's bulk insert then skips UNNEST

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs


class AgendaItem(models.Model):
    """One agenda entry. `snapshot` keeps what the board saw when the agenda was generated (risk,
    schedule, conflicts, test evidence, other approvals), so the minutes never change under it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    section = models.PositiveSmallIntegerField(choices=Section.choices)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    change = models.ForeignKey("changes.ChangeRequest", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="cab_items")
    slot = models.ForeignKey("approvals.ApprovalSlot", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="cab_items", help_text="The CAB approval this item decides")
    needs_decision = models.BooleanField(default=False)
    snapshot = SnapshotField(default=dict, blank=True)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 help_text="Empty when generated")

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "slot"], condition=Q(slot__isnull=False),
                                    name="cab_item_once_per_slot"),
            models.CheckConstraint(condition=Q(needs_decision=False) | Q(slot__isnull=False),
                                   name="cab_decision_item_has_slot"),
        ]
        indexes = [models.Index(fields=["meeting", "position"], name="cab_item_order")]

    def __str__(self):
        return self.title


class Vote(models.Model):
    """A member's one vote on one item; changing it updates this row until the item is decided."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cab_votes")
    choice = models.CharField(max_length=10, choices=VoteChoice.choices)
    comment = models.TextField(blank=True)
    cast_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "cast_at", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "voter"], name="cab_one_vote_per_member")]

    def __str__(self):
        return f"{self.voter}: {self.choice}"


class Decision(models.Model):
    """The chair's record of the board's decision on an item; at most one per item."""

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    conditions = models.TextField(blank=True, help_text="Conditions attached to an approval")
    tally = models.JSONField(default=dict, help_text="Counted votes and quorum when decided")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at"]

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.item})"


class ActionItem(models.Model):
    """A follow-up (with an owner and due date) or a concern raised to the board; open ones go on
    every agenda until closed."""

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    change = models.ForeignKey("changes.ChangeRequest", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="cab_actions")
    kind = models.CharField(max_length=10, choices=ActionKind.choices, default=ActionKind.ACTION)
    title = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="cab_actions")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True, help_text="Last reminder sent (one per day at most)")

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_on", "id"]
        indexes = [
            # The reminder sweep and agenda section 6: open items by due date.
            models.Index(fields=["due_on"], name="cab_action_open_due", condition=Q(status="open")),
        ]

    def __str__(self):
        return self.title


class Minutes(models.Model):
    """A meeting's minutes. Before publication the chair edits `notes`; publication freezes the
    Markdown record in `body`, after which the services refuse every change (and log the attempt).
    Once `retain_until` has passed, the retention job blanks `body` and `notes` and stamps
    `purged_at`; the row, its SHA-256 and the ledger entries stay as proof the record existed."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    notes = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The published record, in Markdown")
    body_sha256 = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    retain_until = models.DateField(null=True, blank=True, help_text="Retention per policy (POLICY §9)")
    distributed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True,
                                     help_text="When the retention job removed the text; the row stays as a tombstone")

    # The text is left out of the history: the retention job must be able to purge it for good.
    history = HistoricalRecords(excluded_fields=["notes", "body"])

    class Meta:
        ordering = ["-meeting__starts_at"]
        verbose_name_plural = "minutes"
        indexes = [
            # The retention sweep: published minutes not purged yet, by the day they may go.
            models.Index(fields=["retain_until"], name="cab_minutes_retention_due",
                         condition=Q(purged_at__isnull=True, published_at__isnull=False)),
            # The mail sweep (cab.send_due_mail): published minutes not distributed yet.
            models.Index(fields=["published_at"], name="cab_minutes_undistributed",
                         condition=Q(distributed_at__isnull=True, published_at__isnull=False)),
        ]

    def __str__(self):
        return f"Minutes of {self.meeting}"
