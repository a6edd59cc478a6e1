"""The one accessor for policy: `policy.get(key)`.

Values live in PolicySetting rows (admin-editable). They are read once into a cache and the cache is
dropped whenever a setting is saved through `update_setting`, so a request never costs one query per
policy lookup. Edits are validated against the shape of the shipped default and recorded in the
ledger.
"""
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from changemgmt.policy_defaults import DEFAULTS, RISK_LEVELS

CACHE_KEY = "changemgmt:policy:v1"
CACHE_SECONDS = 300

__all__ = ["RISK_LEVELS", "get", "labels", "invalidate", "update_setting", "validate_shape"]


def _load() -> dict:
    from changemgmt.models import PolicySetting

    values = {key: default for key, (default, _ref, _desc) in DEFAULTS.items()}
    values.update(dict(PolicySetting.objects.values_list("key", "value")))
    return values


def all_values() -> dict:
    values = cache.get(CACHE_KEY)
    if values is None:
        values = _load()
        cache.set(CACHE_KEY, values, CACHE_SECONDS)
    return values


def get(key: str):
    if key not in DEFAULTS:
        raise KeyError(f"Unknown policy setting {key!r}")
    return all_values()[key]


def reference(key: str) -> str:
    return DEFAULTS[key][1]


def labels(key: str) -> dict[str, str]:
    """For list-of-{code,label} settings: code -> label."""
    return {item["code"]: item["label"] for item in get(key)}


def invalidate() -> None:
    cache.delete(CACHE_KEY)


def validate_shape(key: str, value, default=None, path: str = "") -> None:
    """Refuse a value whose JSON shape differs from the default's (types, and keys of tables)."""
    if default is None and not path:
        if key not in DEFAULTS:
            raise ValidationError({"key": f"Unknown policy setting {key!r}"})
        default = DEFAULTS[key][0]
    where = f"{key}{path}"
    if isinstance(default, bool) or isinstance(value, bool):
        if type(value) is not type(default):
            raise ValidationError({"value": f"{where} must be {type(default).__name__}"})
        return
    if isinstance(default, (int, float)):
        if not isinstance(value, (int, float)) or value < 0:
            raise ValidationError({"value": f"{where} must be a number of zero or more"})
        return
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValidationError({"value": f"{where} must be text"})
        return
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ValidationError({"value": f"{where} must be a table (JSON object)"})
        if set(value) != set(default):
            missing = sorted(set(default) - set(value))
            extra = sorted(set(value) - set(default))
            raise ValidationError({"value": f"{where} must have exactly the keys {sorted(default)}"
                                   f" (missing {missing}, unknown {extra})"})
        for sub_key, sub_default in default.items():
            validate_shape(key, value[sub_key], sub_default, f"{path}.{sub_key}")
        return
    if isinstance(default, list):
        if not isinstance(value, list):
            raise ValidationError({"value": f"{where} must be a list"})
        if default:
            for index, item in enumerate(value):
                validate_shape(key, item, default[0], f"{path}[{index}]")


def update_setting(*, key: str, value, actor) -> None:
    """Change one policy value: validate, save, audit, and drop the cache after commit."""
    from changemgmt import ledger
    from changemgmt.models import PolicySetting

    validate_shape(key, value)
    with transaction.atomic():
        setting = PolicySetting.objects.select_for_update().filter(key=key).first()
        if setting is None:
            default, ref, desc = DEFAULTS[key]
            setting = PolicySetting(key=key, value=default, reference=ref, description=desc)
        previous = setting.value
        setting.value = value
        setting.save()
        ledger.append(
            actor=actor,
            action="policy.updated",
            subject=f"policy:{key}",
            payload={"key": key, "from": previous, "to": value},
        )
        transaction.on_commit(invalidate)
    invalidate()
