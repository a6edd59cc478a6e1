"""What a policy value must mean before `policy_services.update_setting` stores it.

Two layers, each refusing with a message that names the key (and the entry) and the rule:
1. shape: the value has the JSON shape of the shipped default (types, and the keys of tables);
2. meaning: the rules the engine relies on (every risk total 5-15 falls in exactly one band, every slot
   in the approval matrix is a role the approvals app knows, every required test type can be recorded,
   durations are not negative, ...). A rule may read several keys; an edit runs every rule that reads
   the edited key, against the policy as it would be after the edit.

The kernel must not import the apps above it, so the vocabularies that belong to them (approval slot
roles, emergency authorizer roles, recordable test types) are handed in by those apps at start-up with
`register_vocabulary` (their AppConfig.ready).

The rules live by theme beside the policy's defaults: `lifecycle` (issues 1-9) and `integrations` (issues
10-12); `checks` holds what they share.
"""
from collections.abc import Callable

from django.core.exceptions import ValidationError

from changemgmt.policy_defaults import DEFAULTS
from changemgmt.policy_schema.checks import WEEKDAYS, Problems, register_vocabulary, vocabulary
from changemgmt.policy_schema.integrations import INTEGRATION_RULES
from changemgmt.policy_schema.lifecycle import LIFECYCLE_RULES

__all__ = ["RULES", "WEEKDAYS", "register_vocabulary", "validate", "validate_shape", "vocabulary"]

# (keys read, rule): an edit of any key a rule reads runs that rule. A key with no rule needs only its
# shape, which already refuses negative numbers and fractions where the default is whole (lead_time_hours,
# monitoring_minutes, retention_years, ...).
RULES: list[tuple[tuple[str, ...], Callable[[Problems, dict], None]]] = [*LIFECYCLE_RULES, *INTEGRATION_RULES]


def validate(key: str, value, values: dict) -> None:
    """Refuse `value` for `key` (ValidationError on "value", one message per broken rule). `values` is
    the whole policy with the edit applied."""
    if key not in DEFAULTS:
        raise ValidationError({"key": f"Unknown policy setting {key!r}"})
    problems = Problems()
    validate_shape(key, value)
    for reads, rule in RULES:
        if key in reads:
            rule(problems, values)
    if problems.messages:
        raise ValidationError({"value": problems.messages})


def validate_shape(key: str, value, default=None, path: str = "") -> None:
    """Refuse a value whose JSON shape differs from the default's (types, and keys of tables)."""
    if default is None and not path:
        default = DEFAULTS[key][0]
    where = f"{key}{path}"
    if isinstance(default, bool) or isinstance(value, bool):
        if type(value) is not type(default):
            raise ValidationError({"value": f"{where} must be {type(default).__name__}"})
        return
    if isinstance(default, (int, float)):
        if not isinstance(value, (int, float)) or value < 0:
            raise ValidationError({"value": f"{where} must be a number of zero or more"})
        if isinstance(default, int) and not isinstance(value, int) and not float(value).is_integer():
            raise ValidationError({"value": f"{where} must be a whole number"})
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

