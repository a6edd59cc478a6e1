"""The one accessor for policy: `policy.get(key)`. Its one write path is
`changemgmt.policy_services.update_setting`.

Values live in PolicySetting rows (admin-editable). `update_setting` checks an edit's shape and meaning
(changemgmt.policy_schema), saves it, records it in the ledger and bumps the policy revision (the one
PolicyRevision row).

Web, worker and beat are separate processes, so each keeps its own copy of the policy in memory, stamped
with the revision it was read at. At the start of every request and every Celery task the copy is due
for a check: the first read then costs one query (the revision) and reloads the rows only if the
revision moved. So an edit made in any process is seen by every other from its next request or task,
and one request or task sees one consistent policy from start to end. A signed-in request reads the
revision with its user (changemgmt.backends, `observe_revision`), so its check costs no query of its own.
"""
import threading
from contextlib import contextmanager

from changemgmt.policy_defaults import DEFAULTS, RISK_LEVELS

__all__ = ["RISK_LEVELS", "all_values", "begin", "connect_signals", "get", "invalidate", "labels", "observe_revision",
           "proposed", "reference", "stored_values"]


def stored_values() -> dict:
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
        self._thread.observed = None

    def observe(self, revision: int) -> None:
        """The revision as this request read it elsewhere: its check compares with it instead of querying."""
        self._thread.observed = revision

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
        revision = getattr(self._thread, "observed", None)
        if revision is None:  # before the rows: a concurrent edit then only causes one more reload
            revision = current_revision()
        if copy is None or copy[0] != revision:
            copy = (revision, stored_values())
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


def observe_revision(revision: int) -> None:
    """This request read the policy revision already (with its user): its first policy read uses it."""
    _memo.observe(revision)


def invalidate() -> None:
    """Drop this process's copy (after this process's own edit, and between tests)."""
    _memo.forget()


def connect_signals() -> None:
    """Called once from the kernel's AppConfig.ready."""
    from celery.signals import task_prerun
    from django.core.signals import request_started

    request_started.connect(begin, dispatch_uid="changemgmt.policy.begin")
    task_prerun.connect(begin, dispatch_uid="changemgmt.policy.begin", weak=False)
