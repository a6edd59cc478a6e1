"""The one accessor for policy: `policy.get(key)`, and its one write path: `update_setting`.

Values live in PolicySetting rows (admin-editable). `update_setting` checks an edit's shape and meaning
(changemgmt.policy_schema), saves it, records it in the ledger and bumps the policy revision (the one
PolicyRevision row).

Web, worker and beat are separate processes, so each keeps its own copy of the policy in memory, stamped
with the revision it was read at. At the start of every request and every Celery task the copy is due
for a check: the first read then costs one query (the revision) and reloads the rows only if the
revision moved. So an edit made in any process is seen by every other from its next request or task,
and one request or task sees one consistent policy from start to end.
"""
import threading
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from changemgmt.policy_defaults import DEFAULTS, RISK_LEVELS

__all__ = ["RISK_LEVELS", "all_values", "begin", "connect_signals", "get", "invalidate", "labels",
           "problems_with", "proposed", "reference", "replace_settings", "update_setting"]


def _load() -> dict:
    """Every setting from the database, on top of the defaults. A table stored before an entry was added to
    its default (code deployed before its data migration ran) gets that entry from the default."""
    from changemgmt.models import PolicySetting

    values = {key: default for key, (default, _ref, _desc) in DEFAULTS.items()}
    for key, value in PolicySetting.objects.values_list("key", "value"):
        default = values.get(key)
        values[key] = {**default, **value} if isinstance(default, dict) and isinstance(value, dict) else value
    return values


def current_revision() -> int:
    from changemgmt.models import PolicyRevision

    return PolicyRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0


class _Memo:
    """This process's copy of the policy, and, per thread, whether the current request or task has
    already compared it with the database's revision."""

    def __init__(self):
        self._copy: tuple[int, dict] | None = None
        self._thread = threading.local()

    def begin(self) -> None:
        self._thread.checked = False

    def forget(self) -> None:
        self._copy = None
        self.begin()

    def values(self) -> dict:
        proposal = getattr(self._thread, "proposal", None)
        if proposal is not None:
            return proposal
        copy = self._copy
        if copy is not None and getattr(self._thread, "checked", False):
            return copy[1]
        revision = current_revision()  # before the rows: a concurrent edit then only causes one more reload
        if copy is None or copy[0] != revision:
            copy = (revision, _load())
            self._copy = copy
        self._thread.checked = True
        return copy[1]


_memo = _Memo()


def all_values() -> dict:
    return _memo.values()


def get(key: str):
    if key not in DEFAULTS:
        raise KeyError(f"Unknown policy setting {key!r}")
    return all_values()[key]


@contextmanager
def proposed(values: dict):
    """Within the block, this thread reads `values` (a whole policy: the stored one with an edit applied)
    instead of the stored policy — for a dry run, which writes nothing. Other threads are unaffected."""
    previous = getattr(_memo._thread, "proposal", None)
    _memo._thread.proposal = {**all_values(), **values}
    try:
        yield
    finally:
        _memo._thread.proposal = previous


def reference(key: str) -> str:
    return DEFAULTS[key][1]


def labels(key: str) -> dict[str, str]:
    """For list-of-{code,label} settings: code -> label."""
    return {item["code"]: item["label"] for item in get(key)}


def begin(**_signal_arguments) -> None:
    """A request or task starts: its first read checks the revision (receiver of request_started and
    Celery's task_prerun)."""
    _memo.begin()


def invalidate() -> None:
    """Drop this process's copy (after this process's own edit, and between tests)."""
    _memo.forget()


def connect_signals() -> None:
    """Called once from the kernel's AppConfig.ready."""
    from celery.signals import task_prerun
    from django.core.signals import request_started

    request_started.connect(begin, dispatch_uid="changemgmt.policy.begin")
    task_prerun.connect(begin, dispatch_uid="changemgmt.policy.begin", weak=False)


def update_setting(*, key: str, value, actor) -> None:
    """Change one policy value: check it, save it, audit it and bump the revision, or write nothing.

    Edits are serialised on the revision row, so two edits whose rules depend on each other (say the
    approval matrix and the CAB's review levels) are each judged against the other's committed value."""
    from changemgmt import ledger, policy_schema
    from changemgmt.models import PolicyRevision, PolicySetting

    if key not in DEFAULTS:
        raise ValidationError({"key": f"Unknown policy setting {key!r}"})
    with transaction.atomic():
        PolicyRevision.objects.get_or_create(pk=1)
        PolicyRevision.objects.select_for_update().get(pk=1)
        policy_schema.validate(key, value, {**_load(), key: value})
        setting = PolicySetting.objects.select_for_update().filter(key=key).first()
        if setting is None:
            default, ref, desc = DEFAULTS[key]
            setting = PolicySetting(key=key, value=default, reference=ref, description=desc)
        previous = setting.value
        setting.value = value
        setting.save()
        PolicyRevision.objects.filter(pk=1).update(number=F("number") + 1)
        ledger.append(
            actor=actor,
            action="policy.updated",
            subject=f"policy:{key}",
            payload={"key": key, "from": previous, "to": value},
        )
        transaction.on_commit(invalidate)
    invalidate()


def problems_with(changed: dict, current: dict | None = None) -> list[str]:
    """Every reason `update_setting` would refuse one of `changed`, each judged against the whole policy
    with all of `changed` applied; each message names its key. Empty when all may be stored."""
    from changemgmt import policy_schema

    current = _load() if current is None else current
    merged = {**current, **changed}
    problems = []
    for key, value in changed.items():
        try:
            policy_schema.validate(key, value, merged)
        except ValidationError as refusal:
            problems += [message if message.startswith(key) else f"{key}: {message}" for message in refusal.messages]
    return problems


def replace_settings(*, values: dict, actor, action: str = "policy.imported", expected_revision: int | None = None,
                     payload: dict | None = None) -> dict:
    """Change several policy values at once, all or nothing (a policy pack's import): every changed value
    is checked as `update_setting` checks one (shape and the schema's rules), against the whole policy
    with all of them applied, so values that depend on each other are judged together. Writes each
    changed setting, bumps the revision once and appends one ledger entry (`action`) listing every
    change; writes nothing when one value is refused (ValidationError on `settings`, one message per
    problem, each naming its key) or when the revision moved since `expected_revision` (Conflict).
    Returns {key: (from, to)} of what changed."""
    from changemgmt import ledger
    from changemgmt.errors import Conflict
    from changemgmt.models import PolicyRevision, PolicySetting

    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ValidationError({"settings": [f"Unknown policy setting {key!r}" for key in unknown]})
    with transaction.atomic():
        PolicyRevision.objects.get_or_create(pk=1)
        revision = PolicyRevision.objects.select_for_update().get(pk=1)
        if expected_revision is not None and revision.number != expected_revision:
            raise Conflict(f"The policy changed since the preview (revision {expected_revision}, now "
                           f"{revision.number}): preview the pack again.")
        current = _load()
        changed = {key: value for key, value in values.items() if current[key] != value}
        problems = problems_with(changed, current)
        if problems:
            raise ValidationError({"settings": problems})
        if not changed:
            return {}
        rows = {row.key: row for row in PolicySetting.objects.select_for_update().filter(key__in=list(changed))}
        for key, value in changed.items():
            setting = rows.get(key)
            if setting is None:
                _default, ref, desc = DEFAULTS[key]
                setting = PolicySetting(key=key, reference=ref, description=desc)
            setting.value = value
            setting.save()
        PolicyRevision.objects.filter(pk=1).update(number=F("number") + 1)
        ledger.append(actor=actor, action=action, subject="policy:pack", payload={
            **(payload or {}), "from_revision": revision.number, "to_revision": revision.number + 1,
            "changes": [{"key": key, "from": current[key], "to": value} for key, value in changed.items()]})
        transaction.on_commit(invalidate)
    invalidate()
    return {key: (current[key], value) for key, value in changed.items()}
