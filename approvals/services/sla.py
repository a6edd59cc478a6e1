"""The SLA sweep [POLICY §3]: send every reminder and escalation that is due (approvals.sla plans them).

The sweep takes the due slots in batches under `SELECT … FOR UPDATE SKIP LOCKED`, writes one SlaStep
row per (slot, step) — unique, so a step is never sent twice — plus the notifications, and moves each
slot to its next step, all in one transaction: a worker that dies mid-batch leaves nothing half-sent,
and a sweep that runs late records every step it missed.

A reminder carries the approval request's signed grant and reject links for each slot it names (planned
here with the notification, minted when the mail is rendered: approvals.email_link_services).

A late sweep (after an outage) is not spam: of the steps that fell due meanwhile it sends only the
latest reminder and the latest escalation (the earlier ones are recorded with no recipients, as
superseded), and one message per person, change and kind names every slot it concerns.
"""
from collections import Counter, defaultdict
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals.choices import SLOT_HOLDERS, SlotRole, SlotStatus
from approvals.models import ApprovalSlot, SlaStep
from approvals.services import plan_email_links
from approvals.sla import ESCALATE_MANAGER, Step, change_path, next_step, plan
from changemgmt import clock
from changemgmt.models import NotificationKind, User
from changemgmt.notifications import Message, notify_many
from changemgmt.roles import Role

BATCH = 500


def holders_by_role(roles: set[str]) -> tuple[dict[str, set[int]], dict[int, int | None]]:
    """One query: active users holding any of `roles` → ({role: user ids}, {user id: manager id})."""
    by_role: dict[str, set[int]] = {role: set() for role in roles}
    managers: dict[int, int | None] = {}
    rows = User.objects.filter(is_active=True, groups__name__in=roles).values_list("id", "manager_id", "groups__name")
    for user_id, manager_id, role in rows:
        by_role[role].add(user_id)
        managers[user_id] = manager_id
    return by_role, managers


def messages_for(slot, step: Step, holders, managers, chairs) -> tuple[list[int], str]:
    change = slot.change
    role_holders = set().union(*(holders.get(r, set()) for r in SLOT_HOLDERS[slot.role]))
    role_holders -= {change.requester_id, change.owner_id}
    if step.name.startswith("remind_"):
        return sorted(role_holders), NotificationKind.SLA_REMINDER
    if step.name == ESCALATE_MANAGER:
        bosses = {managers[u] for u in role_holders if managers.get(u)}
        return sorted(bosses or chairs), NotificationKind.SLA_ESCALATION
    return sorted(chairs), NotificationKind.SLA_ESCALATION


def latest_per_kind(due: list[Step]) -> set[str]:
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


def _reminded(notified, groups) -> list[tuple]:
    """The (slot, notification) pairs whose reminder carries decision links: each slot a reminder names,
    for the person reminded (a holder of its role). An escalation carries none: it goes to managers and
    chairs, who do not decide the slot; approvals.services.plan_email_links leaves out CAB slots too."""
    return [(slot, notification) for notification, (_uid, kind, slots) in zip(notified, groups, strict=True)
            if kind == NotificationKind.SLA_REMINDER for slot in slots]


def sweep(now: datetime | None = None) -> int:
    """Send every reminder and escalation that is due; returns how many steps were sent."""
    sent = 0
    while True:
        count, more = _sweep_batch(now or timezone.now())
        sent += count
        if not more:
            return sent


def _claim_due_slots(now: datetime) -> list[ApprovalSlot]:
    """Lock whole changes, then every due slot of them (the lock order of changemgmt.locking).

    One person gets one message per change and kind, so a change's due slots must all be in one
    sweep's batch: claiming slots one by one let two concurrent sweeps split a change between them,
    and each sent the same person a message about it. The changes are claimed with SKIP LOCKED (a
    change another sweep or a decision holds waits for the next run); their slots are then locked
    outright. The change model is read off the slot's foreign key: approvals sits below changes."""
    change_model = ApprovalSlot._meta.get_field("change").related_model
    due = ApprovalSlot.objects.filter(status=SlotStatus.PENDING, next_step_at__isnull=False, next_step_at__lte=now)
    change_ids = list(
        change_model.objects.select_for_update(skip_locked=True)
        .filter(pk__in=due.order_by("next_step_at").values("change_id")[:BATCH])
        .values_list("pk", flat=True)
    )
    if not change_ids:
        return []
    return list(due.filter(change_id__in=change_ids).select_for_update(of=("self",))
                .select_related("change").order_by("next_step_at", "pk"))


def _sweep_batch(now: datetime) -> tuple[int, bool]:
    cal = clock.current()
    try:
        with transaction.atomic():
            slots = _claim_due_slots(now)
            if not slots:
                return 0, False
            done: dict[int, set[str]] = {}
            for slot_id, step_name in SlaStep.objects.filter(slot__in=slots).values_list("slot_id", "step"):
                done.setdefault(slot_id, set()).add(step_name)
            roles = {r for slot in slots for r in SLOT_HOLDERS[slot.role]} | {Role.CAB_CHAIR}
            holders, managers = holders_by_role(roles)
            chairs = holders.get(Role.CAB_CHAIR, set())
            usernames = dict(User.objects.filter(pk__in=set(managers) | set().union(*holders.values()))
                             .values_list("id", "username"))
            steps, grouped = [], defaultdict(list)
            for slot in slots:
                slot_done = done.setdefault(slot.pk, set())
                schedule = plan(start=slot.created_at, due_at=slot.due_at, cal=cal)
                due = [step for step in schedule if step.name not in slot_done and step.at <= now]
                sending = latest_per_kind(due)
                for step in due:
                    recipients, kind = messages_for(slot, step, holders, managers, chairs)
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
            groups = [(uid, kind, list(dict.fromkeys(group))) for (uid, _change, kind), group in grouped.items()]
            messages = [_message(uid, kind, slots, now) for uid, kind, slots in groups]
            SlaStep.objects.bulk_create(steps)
            notified = notify_many(messages)
            plan_email_links(_reminded(notified, groups))
            ApprovalSlot.objects.bulk_update(slots, ["next_step", "next_step_at"])
            return len(steps), True  # until a batch claims nothing: each batch moves its slots past now
    except IntegrityError:
        # A concurrent sweep recorded one of these steps first: this batch rolled back whole;
        # the next run re-reads the slots and sends only what is still unsent.
        return 0, False
