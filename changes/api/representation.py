"""The JSON of a change list row and of a change, built by hand.

DRF renders a serializer field by field: per field a `get_attribute` walk (with an
`inspect.signature` call for each source that may be a method), a `to_representation`, and for
date-times `enforce_timezone` reading the current time zone each time; for a change's ~60 fields and
its nested slots, evidence and rollbacks that was most of an API detail request, and per row most of
the API list (bench/README.md). These functions write the same dicts directly, from the rows
changes.api.selectors reads. The serializers in changes.api.serializers still declare every field, so
the OpenAPI schema is theirs (the list serializer renders through list_row; the views answer a change
with `detail`), and tests/changes/test_api_representation.py checks that both give the same JSON as
DRF's rendering of the declared fields, key for key and in the same order.
"""
from datetime import UTC, datetime

from django.utils import timezone

from approvals.choices import SlotRole, SlotStatus
from changes.choices import State
from changes.models import REFERENCE_PREFIX
from changes.risk import FACTORS

STATE_LABELS = dict(State.choices)
ROLE_LABELS = dict(SlotRole.choices)
STATUS_LABELS = dict(SlotStatus.choices)
COUNTED = (SlotStatus.PENDING, SlotStatus.GRANTED, SlotStatus.REJECTED)


def stamper():
    """A function rendering a date-time as DRF's DateTimeField does: in the current time zone
    (read once here, not per value), ISO 8601, "Z" for UTC, None for None."""
    zone = timezone.get_current_timezone()

    def stamp(value):
        if not value:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return stamp


def person(pk, username, first_name, last_name):
    """A user as PersonSerializer renders it (`name` is User.__str__: the full name, else the username)."""
    if pk is None:
        return None
    return {"id": pk, "username": username, "name": f"{first_name} {last_name}".strip() or username}


def list_row(row, stamp) -> dict:
    """One row of the API list from changes.api.selectors.page_rows (ROW_COLUMNS, then the services)."""
    (pk, title, state, change_type, category, risk_level, planned_start, planned_end, created_at, updated_at,
     external_source, external_key, *persons, services) = row
    return {
        "id": pk, "reference": f"{REFERENCE_PREFIX}{pk:06d}", "title": title, "state": state,
        "state_label": STATE_LABELS.get(state, state), "change_type": change_type, "category": category,
        "risk_level": risk_level, "owner": person(*persons[:4]), "requester": person(*persons[4:]),
        "services": [{"id": service_id, "name": name, "criticality": criticality}
                     for service_id, name, criticality in services],
        "planned_start": stamp(planned_start), "planned_end": stamp(planned_end),
        "created_at": stamp(created_at), "updated_at": stamp(updated_at),
        "external_source": external_source, "external_key": external_key,
    }


def moment(text):
    """A date-time from a JSON aggregate (changes.api.selectors): PostgreSQL writes ISO 8601 with
    its UTC offset, SQLite the stored naive UTC text."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def slot(values, stamp) -> dict:
    """An approval slot (selectors.SLOT_COLUMNS) as approvals.api.serializers.SlotSerializer renders it."""
    pk, change, role, ordinal, rule, policy, status, decided_by, decided_at, reason, due_at, channel = values
    return {
        "id": pk, "change": change, "role": role, "role_label": ROLE_LABELS.get(role, role), "ordinal": ordinal,
        "rule": rule, "policy": policy, "status": status, "status_label": STATUS_LABELS.get(status, status),
        "decided_by": decided_by, "decided_at": stamp(moment(decided_at)), "reason": reason,
        "due_at": stamp(moment(due_at)), "channel": channel,
    }


def approvals(slots, stamp) -> dict:
    """SlotSummarySerializer: the live slots counted by status, and every slot."""
    counts = dict.fromkeys(COUNTED, 0)
    for values in slots:
        if values[6] in counts:
            counts[values[6]] += 1
    return {"pending": counts[SlotStatus.PENDING], "granted": counts[SlotStatus.GRANTED],
            "rejected": counts[SlotStatus.REJECTED], "slots": [slot(values, stamp) for values in slots]}


def evidence(values, stamp) -> dict:
    """A test run (selectors.EVIDENCE_COLUMNS) as TestEvidenceSerializer renders it."""
    pk, test_type, result, summary, evidence_url, recorded_by, recorded_at = values
    return {"id": pk, "test_type": test_type, "result": result, "summary": summary, "evidence_url": evidence_url,
            "recorded_by": recorded_by, "recorded_at": stamp(moment(recorded_at))}


def rollback(values, stamp) -> dict:
    """A rollback record (selectors.ROLLBACK_COLUMNS) as RollbackSerializer renders it."""
    (pk, severity, trigger, kind, decided_at, reason, steps_executed, completed_at, impact, root_cause,
     preventive_measures, automatic) = values
    return {"id": pk, "severity": severity, "trigger": trigger, "kind": kind, "decided_at": stamp(moment(decided_at)),
            "reason": reason, "steps_executed": steps_executed, "completed_at": stamp(moment(completed_at)),
            "impact": impact, "root_cause": root_cause, "preventive_measures": preventive_measures,
            "automatic": bool(automatic)}


def risk(row) -> dict:
    """RiskSerializer: the scorecard."""
    scores = {factor: row[f"risk_{factor}"] for factor in FACTORS}
    return {"scores": scores, "total": None if None in scores.values() else sum(scores.values()),
            "computed": row["risk_computed"], "override": row["risk_override"],
            "override_reason": row["risk_override_reason"], "override_by": row["risk_override_by__username"],
            "final": row["risk_level"]}


def people(row, who: str):
    return person(*(row[f"{who}__{name}"] for name in ("id", "username", "first_name", "last_name")))


def detail(row) -> dict:
    """ChangeDetailSerializer's fields, in its order, from changes.api.selectors.change_detail_row."""
    stamp = stamper()
    pk, state = row["id"], row["state"]
    return {
        "id": pk, "reference": f"{REFERENCE_PREFIX}{pk:06d}", "title": row["title"], "state": state,
        "state_label": STATE_LABELS.get(state, state), "change_type": row["change_type"],
        "category": row["category"], "risk_level": row["risk_level"], "owner": people(row, "owner"),
        "requester": people(row, "requester"),
        "services": [{"id": service_id, "name": name, "criticality": criticality}
                     for service_id, name, criticality in row["services"]],
        "planned_start": stamp(row["planned_start"]), "planned_end": stamp(row["planned_end"]),
        "created_at": stamp(row["created_at"]), "updated_at": stamp(row["updated_at"]),
        **{name: row[name] for name in (
            "external_source", "external_key", "description", "business_justification", "impact_systems",
            "impact_users", "implementation_plan", "test_plan", "rollback_plan", "ticket_url", "pr_url",
            "security_triggers", "emergency_criterion", "freeze_justification")},
        "team": row["team__name"], "template": row["template_id"], "risk": risk(row),
        "approvals": approvals(row["slots"], stamp),
        "test_evidence": [evidence(values, stamp) for values in row["evidence"]],
        **{name: row[name] for name in (
            "predeploy_checklist", "deployment_method", "verification_checks", "outcome", "review_answers",
            "lessons_learned", "closing_reason")},
        "rollbacks": [rollback(values, stamp) for values in row["rollbacks"]],
        **{name: stamp(row[name]) for name in ("submitted_at", "approved_at", "deployed_at", "verified_at",
                                                "closed_at")},
    }
