"""Dependencies point one way: changemgmt ← approvals ← changes ← cab ← audit/metrics ← demo ("is imported
by"), and no two modules import each other (issue 14, README "Design"). audit and metrics share a layer:
neither imports the other.

Every module of the four packages is read with `ast` and every import counts — at module level and
inside functions alike, since an import moved into a function hides a dependency without removing
it. A lower layer never imports a higher one; a module imports no module that imports it back, directly
or around a longer cycle (importing `a.b.c` also runs the package `a.b`, so that counts as an import
of `a.b`).
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("changemgmt", "approvals", "changes", "cab", "audit", "metrics", "demo")  # lowest first
# The rank of each layer: packages of one rank (audit and metrics) never import each other.
RANK = {"changemgmt": 0, "approvals": 1, "changes": 2, "cab": 3, "audit": 4, "metrics": 4, "demo": 5}


def _modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path) -> set[str]:
    """Every project module `module` imports anywhere in its code, with the packages that runs."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path, node)
            targets.add(base)
            targets |= {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES}
    ran = set()
    for target in targets:
        parts = target.split(".")
        ran |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
    return {name for name in ran if name in MODULES and name not in own}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _layer(module: str) -> int:
    return RANK[module.split(".")[0]]


def _upward() -> list[str]:
    return sorted(f"{module} imports {target}" for module, targets in GRAPH.items() for target in targets
                  if _layer(target) > _layer(module))


def _sideways() -> list[str]:
    """Imports between two packages of the same rank (audit and metrics)."""
    return sorted(f"{module} imports {target}" for module, targets in GRAPH.items() for target in targets
                  if _layer(target) == _layer(module) and target.split(".")[0] != module.split(".")[0])


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    edges = GRAPH
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_every_layer_and_imports_inside_functions():
    assert {module.split(".")[0] for module in MODULES} == set(LAYERS)
    assert {"changemgmt.ledger", "cab.models"} <= GRAPH["cab.services.meetings"]
    # an import inside a function counts: changemgmt/policy.py imports the models in stored_values
    assert "changemgmt.models" in GRAPH["changemgmt.policy"]


def test_no_layer_imports_a_layer_above_it():
    assert _upward() == []


def test_audit_and_metrics_never_import_each_other():
    assert {"audit", "metrics"} <= set(MODULES)
    assert _sideways() == []


def test_no_modules_import_each_other():
    assert _cycles() == []
