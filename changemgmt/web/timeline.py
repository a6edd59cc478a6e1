"""A record's timeline: its django-simple-history rows (as field diffs) merged with its audit ledger
entries, newest first. Generic over the model so any page with history can show one.

The caller passes the ledger entries it already fetched, and may pass the history rows too (the
change page reads them in its one query, changes.page_loader); this module runs at most two queries
(history rows unless given, and the users named by foreign keys in the diffs) whatever the number of entries.
"""
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models, router
from django.utils import timezone

from changemgmt.compiled import MARKER, CompiledQuery

MAX_VALUE = 240


@dataclass
class Event:
    when: datetime
    source: str  # "history" or "ledger"
    actor: str
    title: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    details: list[tuple[str, str]] = field(default_factory=list)  # (key, value)
    seq: int | None = None

    @property
    def from_ledger(self) -> bool:
        return self.source == "ledger"


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _display(model_field, value, users: dict) -> str:
    if value in (None, "", [], {}):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return str(users.get(value, f"#{value}")) if model_field.related_model is get_user_model() else f"#{value}"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    if isinstance(value, (dict, list)):
        return _short(json.dumps(value, sort_keys=True, default=str))
    return _short(value)


_HISTORY: dict[type, tuple[list[str], CompiledQuery]] = {}
# The order of a record's history rows, oldest first.
HISTORY_ORDER = ("history_date", "history_id")


def tracked_fields(model) -> tuple[list[str], list[str]]:
    """(names, attnames) of the fields a history row of `model` diffs, in the order of the names."""
    history_model = model(pk=MARKER).history.model
    names = sorted(f.name for f in history_model.tracked_fields if f.editable)
    return names, [history_model._meta.get_field(name).attname for name in names]


def history_columns(model) -> tuple[str, ...]:
    """The columns of a history row as `build` reads them: when, the actor's username, the tracked fields."""
    return ("history_date", "history_user__username", *tracked_fields(model)[1])


def _history_query(model) -> tuple[list[str], CompiledQuery]:
    """Building and compiling the ~50-column values query cost Django more CPU than PostgreSQL took to
    run it, on every page view; the text is the same for every record, so it is compiled once per model
    (and database alias, by CompiledQuery). Returns the tracked field names in the columns' order."""
    found = _HISTORY.get(model)
    if found is None:
        columns = history_columns(model)
        query = CompiledQuery(lambda pk: model(pk=pk).history.order_by(*HISTORY_ORDER).values_list(*columns))
        found = _HISTORY[model] = (tracked_fields(model)[0], query)
    return found


def _history_rows(instance, given) -> tuple[list[str], list[list]]:
    """The record's history oldest first: (when, the actor's username or None, *tracked field values),
    read unless `given` (rows of `history_columns`, in that order)."""
    names, query = _history_query(type(instance))
    if given is not None:
        return names, [list(row) for row in given]
    alias = router.db_for_read(type(instance), instance=instance)
    return names, [list(row) for row in query.rows(instance.pk, alias)]


def _history_events(instance, given=None) -> list[Event]:
    """One query for the history rows (none if `given`), reading only the when, the actor's username and
    the tracked fields (not whole user rows nor model objects), diffed as simple-history's `diff_against`
    does: every editable tracked field, by value, in the order of the fields' names."""
    names, records = _history_rows(instance, given)
    model_fields = [instance._meta.get_field(name) for name in names]
    diffs = [(record, None if previous is None else
              [(i, old, new) for i, (old, new) in enumerate(zip(previous[2:], record[2:], strict=True)) if old != new])
             for previous, record in zip([None, *records[:-1]], records, strict=True)]
    user_ids = {value for _record, delta in diffs if delta for i, old, new in delta for value in (old, new)
                if isinstance(model_fields[i], models.ForeignKey) and isinstance(value, int)}
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    events = []
    for record, delta in diffs:
        actor = record[1] or "system"
        if delta is None:
            events.append(Event(record[0], "history", actor, "Record created"))
            continue
        rows = [(str(model_fields[i].verbose_name).capitalize(), _display(model_fields[i], old, users),
                 _display(model_fields[i], new, users)) for i, old, new in delta]
        if rows:
            events.append(Event(record[0], "history", actor, "Fields changed", changes=rows))
    return events


def _payload_rows(payload: dict) -> list[tuple[str, str]]:
    """Readable key/value rows: a state move on one line, the transition's input flattened, no noise."""
    rows = []
    if "from" in payload and "to" in payload:
        rows.append(("state", f"{payload['from']} → {payload['to']}"))
    for key, value in payload.items():
        if key in ("from", "to") or value in (None, "", [], {}, False):
            continue
        items = value.items() if key == "input" and isinstance(value, dict) else [(key, value)]
        for name, item in items:
            text = item if isinstance(item, str) else json.dumps(item, sort_keys=True, default=str)
            rows.append((name.replace("_", " "), _short(text)))
    return rows


def _ledger_events(entries) -> list[Event]:
    return [Event(entry.recorded_at, "ledger", entry.actor_name, entry.action, details=_payload_rows(entry.payload),
                  seq=entry.seq) for entry in entries]


def build(instance, ledger_entries, history_rows=None) -> list[Event]:
    """History diffs and ledger entries, newest first (ledger before history at the same instant);
    `history_rows` (of `history_columns`, oldest first) when the caller already read them."""
    events = _history_events(instance, history_rows) + _ledger_events(ledger_entries)
    return sorted(events, key=lambda e: (e.when, e.source == "ledger", e.seq or 0), reverse=True)
