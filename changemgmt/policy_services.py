"""The one write path of policy: `update_setting`, called by the admin and the API, and `replace_settings`,
a policy pack's all-or-nothing import. It checks an edit's
shape and meaning (changemgmt.policy_schema), saves it, records it in the ledger, bumps the policy
revision and drops this process's cached copy (changemgmt.policy)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from changemgmt import ledger, policy, policy_schema
from changemgmt.errors import Conflict
from changemgmt.models import PolicyRevision, PolicySetting
from changemgmt.policy_defaults import DEFAULTS


def update_setting(*, key: str, value, actor) -> None:
    """Change one policy value: check it, save it, audit it and bump the revision, or write nothing.

    Edits are serialised on the revision row, so two edits whose rules depend on each other (say the
    approval matrix and the CAB's review levels) are each judged against the other's committed value."""
    if key not in DEFAULTS:
        raise ValidationError({"key": f"Unknown policy setting {key!r}"})
    with transaction.atomic():
        PolicyRevision.objects.get_or_create(pk=1)
        PolicyRevision.objects.select_for_update().get(pk=1)
        policy_schema.validate(key, value, {**policy.stored_values(), key: value})
        setting = PolicySetting.objects.select_for_update().filter(key=key).first()
        if setting is None:
            default, ref, desc = DEFAULTS[key]
            setting = PolicySetting(key=key, value=default, reference=ref, description=desc)
        previous = setting.value
        setting.value = value
        setting.save()
        PolicyRevision.objects.filter(pk=1).update(number=F("number") + 1)
        ledger.append(
            actor=actor,
            action="policy.updated",
            subject=f"policy:{key}",
            payload={"key": key, "from": previous, "to": value},
        )
        transaction.on_commit(policy.invalidate)
    policy.invalidate()


def problems_with(changed: dict, current: dict | None = None) -> list[str]:
    """Every reason `update_setting` would refuse one of `changed`, each judged against the whole policy
    with all of `changed` applied; each message names its key. Empty when all may be stored."""
    current = policy.stored_values() if current is None else current
    merged = {**current, **changed}
    problems = []
    for key, value in changed.items():
        try:
            policy_schema.validate(key, value, merged)
        except ValidationError as refusal:
            problems += [message if message.startswith(key) else f"{key}: {message}" for message in refusal.messages]
    return problems


def replace_settings(*, values: dict, actor, action: str = "policy.imported", expected_revision: int | None = None,
                     payload: dict | None = None) -> dict:
    """Change several policy values at once, all or nothing (a policy pack's import): every changed value
    is checked as `update_setting` checks one (shape and the schema's rules), against the whole policy
    with all of them applied, so values that depend on each other are judged together. Writes each
    changed setting, bumps the revision once and appends one ledger entry (`action`) listing every
    change; writes nothing when one value is refused (ValidationError on `settings`, one message per
    problem, each naming its key) or when the revision moved since `expected_revision` (Conflict).
    Returns {key: (from, to)} of what changed."""
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ValidationError({"settings": [f"Unknown policy setting {key!r}" for key in unknown]})
    with transaction.atomic():
        PolicyRevision.objects.get_or_create(pk=1)
        revision = PolicyRevision.objects.select_for_update().get(pk=1)
        if expected_revision is not None and revision.number != expected_revision:
            raise Conflict(f"The policy changed since the preview (revision {expected_revision}, now "
                           f"{revision.number}): preview the pack again.")
        current = policy.stored_values()
        changed = {key: value for key, value in values.items() if current[key] != value}
        problems = problems_with(changed, current)
        if problems:
            raise ValidationError({"settings": problems})
        if not changed:
            return {}
        rows = {row.key: row for row in PolicySetting.objects.select_for_update().filter(key__in=list(changed))}
        for key, value in changed.items():
            setting = rows.get(key)
            if setting is None:
                _default, ref, desc = DEFAULTS[key]
                setting = PolicySetting(key=key, reference=ref, description=desc)
            setting.value = value
            setting.save()
        PolicyRevision.objects.filter(pk=1).update(number=F("number") + 1)
        ledger.append(actor=actor, action=action, subject="policy:pack", payload={
            **(payload or {}), "from_revision": revision.number, "to_revision": revision.number + 1,
            "changes": [{"key": key, "from": current[key], "to": value} for key, value in changed.items()]})
        transaction.on_commit(policy.invalidate)
    policy.invalidate()
    return {key: (current[key], value) for key, value in changed.items()}
