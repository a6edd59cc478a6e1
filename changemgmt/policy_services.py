"""The one write path of policy: `update_setting`, called by the admin and the API. It checks an edit's
shape and meaning (changemgmt.policy_schema), saves it, records it in the ledger, bumps the policy
revision and drops this process's cached copy (changemgmt.policy)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from changemgmt import ledger, policy, policy_schema
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
