"""The benchmarks under bench/ are not run by the suite (they take minutes), so a module they import that
moved would only show when someone runs them. Every import of the project's own code in them — at module
level or inside a function — must name a module and attribute that exist."""
import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"changemgmt", "approvals", "changes", "cab", "audit", "metrics", "demo", "tests", "bench"}
SCRIPTS = sorted((ROOT / "bench").glob("*.py"))


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] in PROJECT:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT:
                    yield alias.name, []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_project_import_of_a_benchmark_exists(script):
    missing = []
    for module, names in _imports(script):
        if module.split(".")[0] == "bench":
            continue  # the bench's own helpers sit beside it: checked as scripts themselves
        try:
            imported = importlib.import_module(module)
        except ImportError as error:
            missing.append(f"{module}: {error}")
            continue
        for name in names:
            if not hasattr(imported, name):
                try:
                    importlib.import_module(f"{module}.{name}")
                except ImportError:
                    missing.append(f"{module}.{name}")
    assert not missing, f"{script.name} imports what is gone: {missing}"
