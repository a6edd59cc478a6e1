"""Approval SLAs: due times, and the reminder/escalation steps along them [POLICY §3].

Each pending slot carries its next step and when it is due (`next_step`, `next_step_at`, indexed
for pending slots). The sweep takes the due slots in batches under `SELECT … FOR UPDATE SKIP
LOCKED`, writes one SlaStep row per (slot, step) — unique, so a step is never sent twice — plus
the notifications, and moves each slot to its next step, all in one transaction: a worker that dies
mid-batch leaves nothing half-sent, and a sweep that runs late records every step it missed.

A late sweep (after an outage) is not spam: of the steps that fell due meanwhile it sends only the
latest reminder and the latest escalation (the earlier ones are recorded with no recipients, as
superseded), and one message per person, change and kind names every slot it concerns.

Steps, as percentages of the slot's SLA business time (policy `sla_reminder_percents`,
`sla_escalation_percents`): reminders to the role holders (50 %, 100 %), escalation to the role
holders' managers at the breach (100 %), then to the CAB chair after a further SLA period (200 %).
"""
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from approvals.choices import SLOT_HOLDERS, SlotRole, SlotStatus
from approvals.models import ApprovalSlot, SlaStep
from changemgmt import clock, policy
from changemgmt.models import NotificationKind, User
from changemgmt.notifications import Message, notify_many
from changemgmt.roles import Role

BATCH = 500
ESCALATE_MANAGER = "escalate_manager"
ESCALATE_CAB_CHAIR = "escalate_cab_chair"


def _override_seconds() -> int:
    """A test/demo setting (SLA_SECONDS_OVERRIDE) that makes every SLA that many real seconds long."""
    return int(getattr(settings, "SLA_SECONDS_OVERRIDE", 0) or 0)


def due_at_for(*, start: datetime, risk_level: str, cal: clock.BusinessCalendar | None = None) -> datetime:
    seconds = _override_seconds()
    if seconds:
        return start + timedelta(seconds=seconds)
    days = policy.get("sla_business_days")[risk_level or "low"]
    return (cal or clock.current()).add_business_days(start, days)


@dataclass(frozen=True)
class Step:
    name: str
    percent: float
    at: datetime


def plan(*, start: datetime, due_at: datetime, cal: clock.BusinessCalendar | None = None) -> list[Step]:
    """Every reminder and escalation step of one SLA, in the order they fall due."""
    escalations = policy.get("sla_escalation_percents")
    named = [(f"remind_{int(p)}", float(p)) for p in policy.get("sla_reminder_percents")]
    named += [(ESCALATE_MANAGER, float(escalations["manager"])), (ESCALATE_CAB_CHAIR, float(escalations["cab_chair"]))]
    cal = cal or clock.current()
    steps = []
    for name, percent in named:
        if _override_seconds():
            at = start + (due_at - start) * (percent / 100)
        else:
            at = cal.point_in_sla(start, due_at, percent)
        steps.append(Step(name, percent, at))
    return sorted(steps, key=lambda s: (s.at, s.percent))


def next_step(steps: list[Step], done: set[str]) -> Step | None:
    return next((step for step in steps if step.name not in done), None)


def timer_fields(*, start: datetime, risk_level: str, cal=None) -> dict:
    """due_at / next_step / next_step_at for a slot created at `start`."""
    cal = cal or clock.current()
    due = due_at_for(start=start, risk_level=risk_level, cal=cal)
    first = next_step(plan(start=start, due_at=due, cal=cal), set())
    return {"due_at": due, "next_step": first.name if first else "", "next_step_at": first.at if first else None}


def change_path(change_id: int) -> str:
    try:
        return reverse("changes:detail", args=[change_id])
    except NoReverseMatch:
        return f"/changes/{change_id}/"


def _holders_by_role(roles: set[str]) -> tuple[dict[str, set[int]], dict[int, int | None]]:
    """One query: active users holding any of `roles` → ({role: user ids}, {user id: manager id})."""
    by_role: dict[str, set[int]] = {role: set() for role in roles}
    managers: dict[int, int | None] = {}
    rows = User.objects.filter(is_active=True, groups__name__in=roles).values_list("id", "manager_id", "groups__name")
    for user_id, manager_id, role in rows:
        by_role[role].add(user_id)
        managers[user_id] = manager_id
    return by_role, managers


def _messages_for(slot, step: Step, holders, managers, chairs) -> tuple[list[int], str]:
    change = slot.change
    role_holders = set().union(*(holders.get(r, set()) for r in SLOT_HOLDERS[slot.role]))
    role_holders -= {change.requester_id, change.owner_id}
    if step.name.startswith("remind_"):
        return sorted(role_holders), NotificationKind.SLA_REMINDER
    if step.name == ESCALATE_MANAGER:
        bosses = {managers[u] for u in role_holders if managers.get(u)}
        return sorted(bosses or chairs), NotificationKind.SLA_ESCALATION
    return sorted(chairs), NotificationKind.SLA_ESCALATION


def _latest_per_kind(due: list[Step]) -> set[str]:
    """The steps a sweep sends out of those due: the latest reminder and the latest escalation."""
    reminders = [step for step in due if step.name.startswith("remind_")]
    escalations = [step for step in due if not step.name.startswith("remind_")]
    return {group[-1].name for group in (reminders, escalations) if group}


def _slot_labels(slots) -> str:
    counts = Counter(SlotRole(slot.role).label.lower() for slot in slots)
    labels = [label if n == 1 else f"{n} × {label}" for label, n in counts.items()]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _message(user_id: int, kind: str, slots: list, now: datetime) -> Message:
    """One reminder or escalation to one person about every due slot of one change."""
    change = slots[0].change
    due_at = min(slot.due_at for slot in slots)
    plural = "approvals" if len(slots) > 1 else "approval"
    title = f"{change.reference}: {_slot_labels(slots)} {plural} {clock.describe_due(due_at, now)}"
    if kind == NotificationKind.SLA_ESCALATION:
        title += " — escalated to you"
    lines = [change.title] + [
        f"- {SlotRole(slot.role).label} approval {clock.describe_due(slot.due_at, now)}; "
        f"required because: {slot.rule} ({slot.policy})." for slot in slots]
    return Message(user_id, kind, title, "\n".join(lines), change_path(change.pk), due_at)


def sweep(now: datetime | None = None) -> int:
    """Send every reminder and escalation that is due; returns how many steps were sent."""
    sent = 0
    while True:
        count, more = _sweep_batch(now or timezone.now())
        sent += count
        if not more:
            return sent


def _sweep_batch(now: datetime) -> tuple[int, bool]:
    cal = clock.current()
    try:
        with transaction.atomic():
            slots = list(
                ApprovalSlot.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=SlotStatus.PENDING, next_step_at__isnull=False, next_step_at__lte=now)
                .select_related("change").order_by("next_step_at")[:BATCH]
            )
            if not slots:
                return 0, False
            done: dict[int, set[str]] = {}
            for slot_id, step_name in SlaStep.objects.filter(slot__in=slots).values_list("slot_id", "step"):
                done.setdefault(slot_id, set()).add(step_name)
            roles = {r for slot in slots for r in SLOT_HOLDERS[slot.role]} | {Role.CAB_CHAIR}
            holders, managers = _holders_by_role(roles)
            chairs = holders.get(Role.CAB_CHAIR, set())
            usernames = dict(User.objects.filter(pk__in=set(managers) | set().union(*holders.values()))
                             .values_list("id", "username"))
            steps, grouped = [], defaultdict(list)
            for slot in slots:
                slot_done = done.setdefault(slot.pk, set())
                schedule = plan(start=slot.created_at, due_at=slot.due_at, cal=cal)
                due = [step for step in schedule if step.name not in slot_done and step.at <= now]
                sending = _latest_per_kind(due)
                for step in due:
                    recipients, kind = _messages_for(slot, step, holders, managers, chairs)
                    if step.name not in sending:
                        recipients = []  # superseded by a later step of the same kind
                    for uid in recipients:
                        grouped[(uid, slot.change_id, kind)].append(slot)
                    steps.append(SlaStep(slot=slot, step=step.name, scheduled_at=step.at, sent_at=now,
                                         recipients=[usernames.get(uid, str(uid)) for uid in recipients]))
                    slot_done.add(step.name)
                following = next_step(schedule, slot_done)
                slot.next_step = following.name if following else ""
                slot.next_step_at = following.at if following else None
            messages = [_message(uid, kind, list(dict.fromkeys(group)), now)
                        for (uid, _change, kind), group in grouped.items()]
            SlaStep.objects.bulk_create(steps)
            notify_many(messages)
            ApprovalSlot.objects.bulk_update(slots, ["next_step", "next_step_at"])
            return len(steps), len(slots) == BATCH
    except IntegrityError:
        # A concurrent sweep recorded one of these steps first: this batch rolled back whole;
        # the next run re-reads the slots and sends only what is still unsent.
        return 0, False
