"""The tests keep one shape (issue 14): every test module sits in the package of the app it tests, and
shared builders and fixtures live in `tests/support/` and the conftest files, never in a test module
that other tests import (importing a test module also collects its tests twice and couples the files).

Every module under `tests/` is read with `ast`; imports inside functions count too.
"""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    return ".".join(("tests", *path.relative_to(TESTS).with_suffix("").parts))


def _imported(path: Path) -> set[str]:
    """Every module `path` imports, absolute or relative, with `from x import y` counting x.y as well."""
    package = _module_name(path).rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _is_test_module(name: str) -> bool:
    return name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")


def test_no_test_module_imports_another():
    offenders = sorted(
        f"{path.relative_to(TESTS.parent)} imports {name}"
        for path in TESTS.rglob("*.py")
        for name in _imported(path)
        if _is_test_module(name))
    assert offenders == []


def test_every_test_module_sits_in_an_app_package():
    stray = sorted(path.name for path in TESTS.glob("test_*.py"))
    assert stray == []
    packages = {path.parent for path in TESTS.rglob("test_*.py")}
    assert all((package / "__init__.py").exists() for package in packages)
