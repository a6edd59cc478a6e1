"""Agenda generation [POLICY §5]: the six sections, read from live data; cab.services.agenda.generate_agenda
stores them as a snapshot (AgendaItem.snapshot) so the board — and the minutes — keep what was seen
when it was generated.

Generation costs a fixed number of queries however many changes exist: each section is one query
(plus fixed prefetches), change details are fetched once for every change the agenda shows in
detail, and calendar conflicts are computed in memory from the calendar's query (two changes
sharing a service in overlapping time, as POLICY §6 defines a conflict) and merged with the
ChangeConflict rows changes.calendar.conflicts keeps (which also cover configuration items).
"""
from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from approvals.choices import SlotRole, SlotStatus
from approvals.models import ApprovalSlot
from cab.choices import ActionStatus, MeetingKind, Outcome, Section
from cab.models import ActionItem, AgendaItem, Decision, Meeting
from changemgmt import policy
from changes.calendar.models import ChangeConflict, Freeze
from changes.choices import ChangeType, State
from changes.choices import Outcome as ChangeOutcome
from changes.models import REFERENCE_PREFIX, ChangeRequest, TestEvidence
from changes.pipeline.models import UnauthorizedDeployment

# States of a change that is on the calendar (submitted, not finished).
CALENDAR_STATES = [State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY, State.DEPLOYED]
SECTION_STEP = 1000  # generated positions: section * STEP + index, so sections keep their order


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def previous_meeting_start(meeting) -> object:
    """Start of the 'since the last meeting' window: the previous regular meeting, else the policy's
    look-back (`cab.agenda_lookback_days`)."""
    previous = (Meeting.objects.filter(kind=MeetingKind.REGULAR, starts_at__lt=meeting.starts_at)
                .exclude(pk=meeting.pk).order_by("-starts_at").values_list("starts_at", flat=True).first())
    return previous or meeting.starts_at - timedelta(days=policy.get("cab")["agenda_lookback_days"])


def emergency_changes(meeting, since) -> list[int]:
    """Emergency changes this agenda reviews: filed or deployed since the last meeting, and every
    emergency change flagged for CAB review (EmergencyReview.cab_review: high or critical) that no other
    meeting's agenda has shown yet — one deployed after the previous agenda was generated is on this one,
    never between two agendas.

    One query, a UNION of the three: each part reads its own index (filed since, deployed since, the
    flagged reviews), where one filter OR-ing them read every emergency change ever filed."""
    emergency = ChangeRequest.objects.filter(change_type=ChangeType.EMERGENCY).order_by()  # parts of a UNION
    shown_elsewhere = (AgendaItem.objects.filter(section=Section.EMERGENCY, change__isnull=False)
                       .exclude(meeting=meeting).values("change_id"))
    rows = (emergency.filter(created_at__gte=since).values_list("id", "created_at")
            .union(emergency.filter(deployed_at__gte=since).values_list("id", "created_at"),
                   emergency.filter(emergency_review__cab_review=True).exclude(pk__in=shown_elsewhere)
                   .values_list("id", "created_at"))
            .order_by("created_at", "id"))
    return [change_id for change_id, _filed in rows]


def change_url(change_id) -> str:
    return f"/changes/{change_id}/"


def _calendar(lo, hi):
    """Changes on the calendar between lo and hi, their services, and every conflict among them.
    Two queries: the changes, and their service links (joined, not an IN list of ids)."""
    rows = list(ChangeRequest.objects.filter(state__in=CALENDAR_STATES, planned_start__lt=hi, planned_end__gt=lo)
                .order_by("planned_start", "id")
                .values("id", "title", "state", "risk_level", "change_type", "planned_start", "planned_end",
                        "owner__username"))
    links = (ChangeRequest.services.through.objects
             .filter(changerequest__state__in=CALENDAR_STATES, changerequest__planned_start__lt=hi,
                     changerequest__planned_end__gt=lo)
             .values_list("changerequest_id", "service_id", "service__name"))
    services_of = defaultdict(list)
    by_service = defaultdict(list)
    names = {}
    for change_id, service_id, service_name in links:
        services_of[change_id].append(service_name)
        by_service[service_id].append(change_id)
        names[service_id] = service_name
    by_id = {row["id"]: row for row in rows}
    conflicts = []
    conflicts_of = defaultdict(list)
    for service_id, change_ids in by_service.items():
        ordered = sorted((by_id[c] for c in change_ids if c in by_id), key=lambda r: r["planned_start"])
        active = []
        for row in ordered:
            active = [other for other in active if other["planned_end"] > row["planned_start"]]
            for other in active:
                pair = {"service": names[service_id], "a": other["id"], "b": row["id"],
                        "a_ref": f"CHG-{other['id']:06d}", "b_ref": f"CHG-{row['id']:06d}"}
                conflicts.append(pair)
                conflicts_of[other["id"]].append({"with": row["id"], "ref": pair["b_ref"], "service": pair["service"],
                                                  "url": change_url(row["id"])})
                conflicts_of[row["id"]].append({"with": other["id"], "ref": pair["a_ref"], "service": pair["service"],
                                                "url": change_url(other["id"])})
            active.append(row)
    # Conflicts changes.calendar.conflicts stored (they also cover configuration items): one more query.
    found = {frozenset((pair["a"], pair["b"])) for pair in conflicts}
    for first, second, shared in (ChangeConflict.objects.filter(
            change__state__in=CALENDAR_STATES, change__planned_start__lt=hi, change__planned_end__gt=lo)
            .values_list("change_id", "other_id", "shared")):
        if first not in by_id or second not in by_id or frozenset((first, second)) in found:
            continue
        what = ", ".join((shared or {}).get("services", []) + (shared or {}).get("items", [])) or "shared item"
        pair = {"service": what, "a": first, "b": second, "a_ref": f"CHG-{first:06d}", "b_ref": f"CHG-{second:06d}"}
        conflicts.append(pair)
        conflicts_of[first].append({"with": second, "ref": pair["b_ref"], "service": what, "url": change_url(second)})
        conflicts_of[second].append({"with": first, "ref": pair["a_ref"], "service": what, "url": change_url(first)})
    entries = [{
        "id": row["id"], "reference": f"CHG-{row['id']:06d}", "title": row["title"], "url": change_url(row["id"]),
        "state": row["state"], "risk": row["risk_level"], "type": row["change_type"],
        "planned_start": _iso(row["planned_start"]), "planned_end": _iso(row["planned_end"]),
        "owner": row["owner__username"], "services": sorted(services_of[row["id"]]),
        "conflicts": conflicts_of[row["id"]],
    } for row in rows]
    spans = {row["id"]: (row["planned_start"], row["planned_end"]) for row in rows}
    return entries, conflicts, conflicts_of, spans


def _calendar_line(entry) -> dict:
    """What the calendar section shows of a change (its reference and URL come from the id): stored once
    per change, not the whole row with its services and conflicts (those are in the section's pairs)."""
    return {"id": entry["id"], "title": entry["title"], "planned_start": entry["planned_start"],
            "risk": entry["risk"]}


def _pair(pair) -> dict:
    """A conflict of the calendar section: the two change ids and what they share."""
    return {"service": pair["service"], "a": pair["a"], "b": pair["b"]}


DETAIL_COLUMNS = ("id", "title", "state", "change_type", "risk_level", "planned_start", "planned_end", "owner_id",
                  "owner__username", "requester__username", "emergency_criterion", "outcome")


def _detail_changes(ids) -> dict[int, dict]:
    """Everything a change item shows, for all detailed changes at once (4 queries), as plain rows with
    their services, approval slots (superseded ones left out) and test evidence: model objects with
    their prefetches cost more than the rest of the agenda."""
    ids = sorted(ids)
    changes = {row["id"]: {**row, "services": [], "slots": [], "evidence": []}
               for row in ChangeRequest.objects.filter(pk__in=ids).values(*DETAIL_COLUMNS)}
    for change_id, name in (ChangeRequest.services.through.objects.filter(changerequest_id__in=ids)
                            .order_by("service__name").values_list("changerequest_id", "service__name")):
        changes[change_id]["services"].append(name)
    for slot in (ApprovalSlot.objects.filter(change_id__in=ids).exclude(status=SlotStatus.SUPERSEDED)
                 .order_by("id").values("id", "change_id", "role", "ordinal", "status", "rule", "decided_by_id",
                                        "decided_by__username", "reason")):
        changes[slot["change_id"]]["slots"].append(slot)
    for evidence in (TestEvidence.objects.filter(change_id__in=ids).order_by("recorded_at", "id")
                     .values("change_id", "test_type", "result", "summary")):
        changes[evidence["change_id"]]["evidence"].append(evidence)
    return changes


def _snapshot(change: dict, conflicts) -> dict:
    """What the board sees of a change (a row of _detail_changes), stored with its item."""
    latest = {}
    for evidence in change["evidence"]:
        latest[evidence["test_type"]] = {"type": evidence["test_type"], "result": evidence["result"],
                                         "summary": evidence["summary"]}
    return {
        "id": change["id"], "reference": _reference(change["id"]), "title": change["title"],
        "url": change_url(change["id"]), "state": change["state"], "type": change["change_type"],
        "risk": change["risk_level"], "planned_start": _iso(change["planned_start"]),
        "planned_end": _iso(change["planned_end"]),
        "owner": change["owner__username"] if change["owner_id"] else "", "requester": change["requester__username"],
        "services": change["services"],
        "emergency_criterion": change["emergency_criterion"], "outcome": change["outcome"],
        "conflicts": conflicts,
        "tests": list(latest.values()),
        "approvals": [{"role": s["role"], "ordinal": s["ordinal"], "status": s["status"], "rule": s["rule"],
                       "by": s["decided_by__username"] if s["decided_by_id"] else "", "reason": s["reason"]}
                      for s in change["slots"]],
    }


def change_snapshot(change, conflicts) -> dict:
    """The snapshot of one change fetched with changes.selectors.change_detail_queryset (an item the
    chair adds by hand): the same fields as a generated item's, from the slots and evidence as
    that queryset prefetched them."""
    row = {"id": change.pk, "title": change.title, "state": change.state, "change_type": change.change_type,
           "risk_level": change.risk_level, "planned_start": change.planned_start, "planned_end": change.planned_end,
           "owner_id": change.owner_id, "owner__username": change.owner.username if change.owner_id else "",
           "requester__username": change.requester.username, "emergency_criterion": change.emergency_criterion,
           "outcome": change.outcome, "services": [s.name for s in change.services.all()],
           "slots": [{"role": s.role, "ordinal": s.ordinal, "status": s.status, "rule": s.rule,
                      "decided_by_id": s.decided_by_id,
                      "decided_by__username": s.decided_by.username if s.decided_by_id else "", "reason": s.reason}
                     for s in change.approval_slots.all()],
           "evidence": [{"test_type": e.test_type, "result": e.result, "summary": e.summary}
                        for e in change.test_evidence.all()]}
    return _snapshot(row, conflicts)


def _reference(change_id) -> str:
    return f"{REFERENCE_PREFIX}{change_id:06d}"


def build_items(meeting, since, now) -> list[AgendaItem]:
    """The generated items of `meeting`, unsaved. A fixed number of queries."""
    settings = policy.get("cab")
    horizon = meeting.starts_at + timedelta(days=settings["calendar_days_ahead"])
    lo = min(now, meeting.starts_at)
    items = []
    per_section = defaultdict(int)

    def add(section, title, *, change_id=None, slot_id=None, snapshot=None):
        index = per_section[section]
        per_section[section] += 1
        items.append(AgendaItem(meeting=meeting, section=section, position=section * SECTION_STEP + index,
                                title=title[:300], change_id=change_id, slot_id=slot_id,
                                needs_decision=slot_id is not None, snapshot=snapshot or {}))

    # (1) closed since the last meeting: one summary item, and one item per failure.
    closed = list(ChangeRequest.objects.filter(state=State.CLOSED, closed_at__gte=since)
                  .order_by("closed_at", "id").values("id", "title", "outcome", "closed_at", "risk_level"))
    # The summary keeps each change's id (and a failure's outcome) only — the page shows their references,
    # built from the ids; each failure has its own item with the whole entry.
    summary, failures = {"successful": [], "failed": []}, []
    for row in closed:
        if row["outcome"] == ChangeOutcome.SUCCESSFUL:
            summary["successful"].append({"id": row["id"]})
            continue
        summary["failed"].append({"id": row["id"], "outcome": row["outcome"]})
        failures.append({"id": row["id"], "reference": f"CHG-{row['id']:06d}", "title": row["title"],
                         "url": change_url(row["id"]), "outcome": row["outcome"], "risk": row["risk_level"],
                         "closed_at": _iso(row["closed_at"])})
    add(Section.CLOSED, f"Closed since the last meeting: {len(summary['successful'])} successful, "
        f"{len(summary['failed'])} failed or rolled back", snapshot={"since": _iso(since), **summary})
    for entry in failures:
        add(Section.CLOSED, f"{entry['reference']} {entry['title']} ({entry['outcome'].replace('_', ' ')})",
            change_id=entry["id"], snapshot=entry)

    # (2) emergency changes filed or deployed since the last meeting, and those flagged for CAB review.
    emergency_ids = emergency_changes(meeting, since)
    # (3) high/critical changes in approval whose CAB approval is pending.
    awaiting = list(ApprovalSlot.objects.filter(role=SlotRole.CAB, status=SlotStatus.PENDING,
                                                change__state=State.APPROVAL,
                                                change__risk_level__in=settings["review_risks"])
                    .order_by("change__planned_start", "change_id").values_list("id", "change_id",
                                                                                 "change__planned_end"))
    latest_end = max((end for _slot, _change, end in awaiting if end), default=horizon)
    calendar, conflicts, conflicts_of, spans = _calendar(lo, max(horizon, latest_end))
    details = _detail_changes(set(emergency_ids) | {change_id for _slot, change_id, _end in awaiting})
    deferrals = {}
    for row in (Decision.objects.filter(outcome=Outcome.DEFER, item__change_id__in=[c for _s, c, _e in awaiting])
                .order_by("decided_at").values("item__change_id", "item__meeting__title", "reason")):
        deferrals[row["item__change_id"]] = {"meeting": row["item__meeting__title"], "reason": row["reason"]}

    awaiting_slots = {slot_id for slot_id, _change, _end in awaiting}
    for change_id in emergency_ids:
        change = details[change_id]
        # A deployed emergency change's post-hoc CAB approval is the board's to decide at this review.
        cab_slot = next((s["id"] for s in change["slots"] if s["role"] == SlotRole.CAB
                         and s["status"] == SlotStatus.PENDING and s["id"] not in awaiting_slots), None)
        add(Section.EMERGENCY, f"{_reference(change_id)} {change['title']}", change_id=change_id, slot_id=cab_slot,
            snapshot=_snapshot(change, conflicts_of.get(change_id, [])))
    for slot_id, change_id, _end in awaiting:
        change = details[change_id]
        snapshot = _snapshot(change, conflicts_of.get(change_id, []))
        if change_id in deferrals:
            snapshot["deferred_from"] = deferrals[change_id]
        add(Section.AWAITING, f"{_reference(change_id)} {change['title']} ({change['risk_level']} risk)",
            change_id=change_id, slot_id=slot_id, snapshot=snapshot)

    # (4) the calendar of the coming period, with its conflicts.
    in_period = [entry for entry in calendar if spans[entry["id"]][0] < horizon]
    period_ids = {entry["id"] for entry in in_period}
    period_conflicts = [pair for pair in conflicts if pair["a"] in period_ids or pair["b"] in period_ids]
    add(Section.CALENDAR, f"Change calendar to {timezone.localtime(horizon):%a %Y-%m-%d}: {len(in_period)} "
        f"changes, {len(period_conflicts)} conflicts",
        snapshot={"from": _iso(lo), "to": _iso(horizon), "changes": [_calendar_line(entry) for entry in in_period],
                  "conflicts": [_pair(pair) for pair in period_conflicts]})

    # (5) freezes starting or running within the look-ahead.
    lookahead = meeting.starts_at + timedelta(days=settings["freeze_lookahead_days"])
    for freeze in (Freeze.objects.filter(ends_at__gt=lo, starts_at__lt=lookahead)
                   .exclude(lifted_at__lte=lo)  # a freeze lifted before the period no longer holds
                   .order_by("starts_at", "id")
                   .prefetch_related("services")):
        covered = {s.name for s in freeze.services.all()}
        caught = [entry["reference"] for entry in calendar
                  if spans[entry["id"]][0] < freeze.ends_at and spans[entry["id"]][1] > freeze.starts_at
                  and (not covered or covered & set(entry["services"]))]
        add(Section.FREEZES, f"{freeze.get_kind_display()} freeze: {freeze.name}", snapshot={
            "id": freeze.pk, "name": freeze.name, "kind": freeze.kind, "reason": freeze.reason,
            "starts_at": _iso(freeze.starts_at), "ends_at": _iso(freeze.ends_at),
            "services": sorted(covered) or ["all services"], "changes_caught": caught})

    # (6) open action items and concerns, first the unauthorized changes detected since the last meeting.
    for record in (UnauthorizedDeployment.objects.filter(detected_at__gte=since)
                   .select_related("service", "environment").order_by("detected_at", "id")):
        add(Section.ACTIONS, f"Unauthorized change: {record.service.name} in {record.environment.name}", snapshot={
            "unauthorized_id": record.pk, "service": record.service.name, "environment": record.environment.name,
            "artefact_digest": record.artefact_digest, "pipeline_id": record.pipeline_id, "run_id": record.run_id,
            "detected_at": _iso(record.detected_at)})
    for action in (ActionItem.objects.filter(status=ActionStatus.OPEN).select_related("owner")
                   .order_by("kind", "due_on", "id")):
        add(Section.ACTIONS, f"{action.get_kind_display()}: {action.title}", change_id=action.change_id, snapshot={
            "action_id": action.pk, "kind": action.kind, "owner": action.owner.username if action.owner_id else "",
            "due_on": action.due_on.isoformat() if action.due_on else None, "details": action.details,
            "url": change_url(action.change_id) if action.change_id else None})
    return items
