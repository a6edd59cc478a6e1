"""Template tags only format: the rows they render come finished from a presenter or selector, so
no tag module reaches the database (issue 14, STYLE "Formatting in template filters"). A source
check: a tag module that imports a models module or calls a manager fails here."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAG_MODULES = sorted(path for path in ROOT.glob("*/templatetags/*.py") if ".venv" not in path.parts)


def _database_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module == "models" or node.module.endswith(".models")
                or any(alias.name == "models" for alias in node.names)):
            found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import) and any(alias.name.endswith(".models") for alias in node.names):
            found.append(f"line {node.lineno}: import {', '.join(alias.name for alias in node.names)}")
        elif isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"line {node.lineno}: .objects")
    return found


def test_the_check_sees_the_tag_modules():
    assert {path.parent.parent.name for path in TAG_MODULES} >= {"approvals", "cab", "changemgmt", "changes"}


def test_no_template_tag_module_queries_the_database():
    offenders = {str(path.relative_to(ROOT)): uses for path in TAG_MODULES if (uses := _database_uses(path))}
    assert offenders == {}


def test_the_check_catches_a_query(tmp_path):
    module = tmp_path / "bad_tags.py"
    module.write_text("from approvals.models import ApprovalSlot\n\n"
                      "def tag(change):\n    return ApprovalSlot.objects.filter(change=change)\n")
    assert len(_database_uses(module)) == 2
