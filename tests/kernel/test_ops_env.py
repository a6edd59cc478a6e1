"""`.env.example` lists every environment variable changemgmt reads, so operators see them all."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_CALL = re.compile(r"""\b(?:env_(?:str|bool|int|list|secret)|os\.environ\.get|os\.getenv)"""
                       r"""\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# Read by the process machinery rather than by changemgmt's settings.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def variables_read() -> set[str]:
    names = set()
    for package in ("changemgmt", "changes", "approvals", "cab"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                names |= set(READ_CALL.findall(path.read_text()))
    return names - NOT_SETTINGS


def variables_documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_the_scan_finds_the_settings_it_must():
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL", "ORG_TIME_ZONE"} <= variables_read()


def test_every_variable_read_is_in_env_example():
    missing = variables_read() - variables_documented()
    assert not missing, f"add these to .env.example with a comment: {sorted(missing)}"


def test_compose_passes_every_documented_setting_to_the_app():
    compose = (ROOT / "docker-compose.yml").read_text()
    # CHANGEMGMT_VAR_DIR and STATIC_ROOT are fixed by the image; test and demo switches never belong there.
    not_for_compose = {"CHANGEMGMT_VAR_DIR", "STATIC_ROOT", "CELERY_TASK_ALWAYS_EAGER", "SLA_SECONDS_OVERRIDE",
                       "LEDGER_SIGNING_KEY_AUTOGENERATE"}
    missing = {name for name in variables_read() - not_for_compose if f"{name}:" not in compose}
    assert not missing, f"docker-compose.yml does not pass: {sorted(missing)}"
