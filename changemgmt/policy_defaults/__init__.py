"""The default policy pack (shared POLICY.md), as data. Loaded by data migrations into PolicySetting rows;
code never reads these constants directly, only through changemgmt.policy.

Each entry: key -> (value, reference, description). The keys are kept in two modules by theme, in the order
they were added: `lifecycle` (the change's life cycle, issues 1-9) and `integrations` (pipeline, webhooks,
e-mail links, attachments, review follow-ups and metrics, issues 10-12).
"""
from changemgmt.policy_defaults.integrations import INTEGRATIONS
from changemgmt.policy_defaults.lifecycle import LIFECYCLE, RISK_LEVELS

DEFAULTS: dict[str, tuple[object, str, str]] = {**LIFECYCLE, **INTEGRATIONS}

__all__ = ["DEFAULTS", "RISK_LEVELS"]
