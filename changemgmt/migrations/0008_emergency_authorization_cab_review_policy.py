"""Load the policy rules that were code until issue 9: the emergency authorizers and backdating limit
(`emergency_authorization`), and the CAB's review levels and agenda look-back (new entries of `cab`).

An administrator's edits are never overwritten: a missing key is created from the default, and a table
that lacks entries added to its default gets only those entries.
"""
from django.db import migrations

from changemgmt.policy_defaults import DEFAULTS

KEYS = ["emergency_authorization", "cab"]


def load(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key in KEYS:
        value, reference, description = DEFAULTS[key]
        setting, created = PolicySetting.objects.get_or_create(
            key=key, defaults={"value": value, "reference": reference, "description": description})
        if created or not isinstance(value, dict) or not isinstance(setting.value, dict):
            continue
        missing = {entry: default for entry, default in value.items() if entry not in setting.value}
        if missing:
            setting.value = {**setting.value, **missing}
            setting.reference, setting.description = reference, description
            setting.save(update_fields=["value", "reference", "description", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [("changemgmt", "0007_cab_notification_kinds")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
