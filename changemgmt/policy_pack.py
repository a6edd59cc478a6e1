"""The whole policy as one versioned file — a policy pack — and back (issue 11 §9).

A pack is a JSON (or YAML) object:

    {"format": "changemgmt-policy-pack", "format_version": 1, "policy_revision": 12,
     "exported_at": "2026-11-23T17:00:00Z", "settings": {"<key>": <value>, ...}}

`export_pack` writes every setting in force with the revision it was read at. `read_pack` parses and
checks a pack's frame (format, a version this code reads, settings an object of known keys); a pack
may hold only some keys — the others are left as they are — so the dry run of one edit is a pack of
one key. `diff` lists what importing would change. `import_pack` writes it through the policy's write
path (changemgmt.policy_services.replace_settings): every changed value checked as an administrator's edit is,
against the whole policy with the pack applied, all or nothing, one `policy.imported` ledger entry.
"""
import json

import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone

from changemgmt import policy, policy_services
from changemgmt.api.input import NUL_MESSAGE, has_nul
from changemgmt.policy_defaults import DEFAULTS

FORMAT = "changemgmt-policy-pack"
FORMAT_VERSION = 1
READABLE_VERSIONS = {1}
MAX_BYTES = 1_000_000


def export_pack() -> dict:
    values = policy.all_values()
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "policy_revision": policy.current_revision(),
            "exported_at": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "settings": {key: values[key] for key in DEFAULTS}}


def dumps(pack: dict, fmt: str = "json") -> str:
    if fmt == "yaml":
        return yaml.safe_dump(pack, sort_keys=False, allow_unicode=True)
    return json.dumps(pack, indent=2, ensure_ascii=False) + "\n"


def parse_text(text: str) -> dict:
    """A pack's text (JSON, or YAML) as an object; a 400 on `pack` naming the problem otherwise."""
    if len(text.encode()) > MAX_BYTES:
        raise ValidationError({"pack": f"A policy pack is at most {MAX_BYTES} bytes."})
    try:
        data = json.loads(text)
    except ValueError:
        try:
            # YAML's dates and times become the ISO text JSON would carry, so every value is plain JSON.
            data = json.loads(json.dumps(yaml.safe_load(text), default=str))
        except (yaml.YAMLError, ValueError, RecursionError) as problem:
            raise ValidationError({"pack": f"Neither JSON nor YAML: {problem}"}) from problem
    return read_pack(data)


def read_pack(data) -> dict:
    """Check a pack's frame and return its settings {key: value} (values are checked on import)."""
    if not isinstance(data, dict):
        raise ValidationError({"pack": "A policy pack is an object with format, format_version and settings."})
    if data.get("format") != FORMAT:
        raise ValidationError({"format": f"Expected {FORMAT!r}."})
    version = data.get("format_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise ValidationError({"format_version": f"This version reads format_version {sorted(READABLE_VERSIONS)}, "
                                                 f"not {version!r}."})
    settings = data.get("settings")
    if not isinstance(settings, dict) or not settings:
        raise ValidationError({"settings": "Give the settings as an object of policy keys and values."})
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise ValidationError({"settings": [f"Unknown policy setting {key!r}" for key in unknown]})
    if has_nul(settings):
        raise ValidationError({"settings": NUL_MESSAGE})
    return settings


def diff(settings: dict) -> list[dict]:
    """What importing `settings` would change: [{key, reference, from, to}] in the policy's order."""
    values = policy.all_values()
    return [{"key": key, "reference": DEFAULTS[key][1], "from": values[key], "to": settings[key]}
            for key in DEFAULTS if key in settings and settings[key] != values[key]]


def import_pack(*, settings: dict, actor, expected_revision: int | None = None, source: str = "") -> dict:
    """Import (all or nothing) through changemgmt.policy_services.replace_settings; returns {key: (from, to)}."""
    from changemgmt.roles import Role, has_role

    if not has_role(actor, Role.ADMINISTRATOR) and actor is not None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only an administrator may import a policy pack.")
    return policy_services.replace_settings(values=settings, actor=actor, action="policy.imported",
                                   expected_revision=expected_revision,
                                   payload={"format_version": FORMAT_VERSION, "source": source[:200]})
