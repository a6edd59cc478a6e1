"""Load the policy key the deploy gate reads (`deploy_schedule_tolerance_minutes`, issue 9 §1): how far
a deployment may stray from its approved schedule. An administrator's value is never overwritten."""
from django.db import migrations

from changemgmt.policy_defaults import DEFAULTS

NEW_POLICY_KEYS = ["deploy_schedule_tolerance_minutes"]


def load_policy(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key in NEW_POLICY_KEYS:
        value, reference, description = DEFAULTS[key]
        PolicySetting.objects.get_or_create(key=key, defaults={"value": value, "reference": reference,
                                                               "description": description})


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0003_calendar_data_and_range_index"),
        ("changemgmt", "0002_roles_policy_ledger_guard"),
    ]

    operations = [
        migrations.RunPython(load_policy, migrations.RunPython.noop),
    ]
