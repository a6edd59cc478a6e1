"""No side doors: an ORM write lives in a service module (issue 14, README "Design", docs/architecture.md).

Every module of the four layers (migrations aside) is read with `ast`, and every call of a method that
writes through the ORM — `save`, `delete`, `create`, `bulk_create`, `bulk_update`, `get_or_create`,
`update_or_create`, a queryset's `update`, a related manager's `add`/`remove`/`set`/`clear` — must sit
in a service module: `services.py`, a module of a `services/` package, or `<name>_services.py`.

The match is on method names, so it is pragmatic rather than exact. It leaves out, by rule:
- a call on a name the module imported as a module (`actions.create(...)` is `cab.services.actions`'s
  function, not a manager's `create`);
- `super().save()` / `super().delete()`: a model's own override, whose caller is the write;
- `add`/`remove`/`set`/`clear` on anything but an attribute (`seen.add(x)` is a set; a related manager
  is always reached as `obj.relation`);
- `update` with a positional argument (`dict.update(other)`; a queryset's update takes keywords only).
What is left and still no write is named in NOT_THE_ORM, one call at a time. Modules that write by
design without being services are in INFRASTRUCTURE. Each entry says why; the lists only shrink
(`test_every_exception_is_still_needed`).
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("changemgmt", "approvals", "changes", "cab", "audit", "demo")

WRITES = {"save", "delete", "create", "bulk_create", "bulk_update", "update", "get_or_create",
          "update_or_create", "add", "remove", "set", "clear"}
RELATED_MANAGER = {"add", "remove", "set", "clear"}

# Modules that write by design and are not a service: the machinery every service's write runs through.
INFRASTRUCTURE = {
    "changemgmt/events.py": "publish writes the outbox row inside the publishing service's transaction",
    "changemgmt/tasks.py": "the outbox delivery sweep stamps its own rows delivered",
    "changemgmt/api/idempotency.py": "the idempotency middleware claims, stores and frees its replay keys",
    "changemgmt/api/tasks.py": "the beat job that purges the middleware's expired idempotency keys",
    "changemgmt/ledger/services.py": "ledger.append, the one writer of ledger entries",  # a service too
    "changemgmt/ledger/merkle_store.py": "the Merkle tree's nodes, added by ledger.append in its transaction",
    "changemgmt/ledger/tree_heads.py": "a signed tree head, recorded with its own ledger entry",
    "changemgmt/ledger/audit.py": "a signed ledger checkpoint (manage.py ledger checkpoint)",
    "changemgmt/notifications/mail.py": "the mail sender claims, stamps and releases inbox rows it sends",
    "changemgmt/webhooks/tasks.py": "the webhook sender claims and stamps the delivery rows it sends",
}

# Calls the rules above still match that are no ORM write: (module, call) -> why.
NOT_THE_ORM = {
    ("changemgmt/api/throttling.py", "self.cache.set"): "Django's cache, counting failed token attempts",
    ("changemgmt/api/authentication.py", "ApiToken.objects.filter(pk=token.pk).update"):
        "authentication stamps the token's last use, as Django's login stamps last_login",
    ("audit/views.py", "workbook.save"): "openpyxl writes the population's XLSX into the response",
}


def _modules() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in path.relative_to(ROOT).parts]


def _module_aliases(tree: ast.Module) -> set[str]:
    """Names the module binds to imported modules (`from cab.services import actions`, `import json`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            base = ROOT.joinpath(*node.module.split("."))
            for alias in node.names:
                if (base / f"{alias.name}.py").exists() or (base / alias.name / "__init__.py").exists():
                    names.add(alias.asname or alias.name)
    return names


def _is_write(call: ast.Call, aliases: set[str]) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in WRITES:
        return False
    receiver = func.value
    if isinstance(receiver, ast.Name) and receiver.id in aliases:
        return False
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
        return False
    if func.attr in RELATED_MANAGER:
        return isinstance(receiver, ast.Attribute)
    if func.attr == "update":
        return not call.args and bool(call.keywords)
    return True


def writes(source: str) -> list[tuple[int, str]]:
    """(line, call) of every ORM write the rules find in `source`."""
    tree = ast.parse(source)
    aliases = _module_aliases(tree)
    return sorted((node.lineno, ast.unparse(node.func)) for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and _is_write(node, aliases))


def is_service_module(relative: str) -> bool:
    path = Path(relative)
    return path.name == "services.py" or path.name.endswith("_services.py") or path.parent.name == "services"


def _found() -> dict[str, list[tuple[int, str]]]:
    found = {}
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        hits = [(line, call) for line, call in writes(path.read_text())
                if (relative, call) not in NOT_THE_ORM]
        if hits:
            found[relative] = hits
    return found


FOUND = _found()


def test_the_rules_tell_orm_writes_from_look_alikes():
    source = """
from cab.services import actions
def f(change, seen, payload, form, user):
    Change.objects.filter(pk=1).update(state="closed")
    user.groups.set([])
    form.save()
    change.approval_slots.create(role="peer")
    seen.add(1)
    payload.update({"a": 1})
    actions.create(title="x")
    super().save()
"""
    assert [call for _line, call in writes(source)] == [
        "Change.objects.filter(pk=1).update", "user.groups.set", "form.save", "change.approval_slots.create"]


def test_the_walk_reads_every_layer():
    assert {path.relative_to(ROOT).parts[0] for path in _modules()} == set(PACKAGES)
    assert "changes/services/transition.py" in FOUND and "cab/services/voting.py" in FOUND


def test_every_orm_write_is_in_a_service_module():
    stray = {module: hits for module, hits in FOUND.items()
             if not is_service_module(module) and module not in INFRASTRUCTURE}
    assert stray == {}, "move these writes into the app's services (or name why they are infrastructure)"


def test_every_exception_is_still_needed():
    """An exception whose module no longer writes (or is gone) comes off its list, so the lists only shrink."""
    for module in INFRASTRUCTURE:
        assert module in FOUND, f"{module} writes nothing any more: drop it from the list"
    for module, call in NOT_THE_ORM:
        assert call in [c for _line, c in writes((ROOT / module).read_text())], f"{module}: {call} is gone"
