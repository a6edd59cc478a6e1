"""Load the policy keys added for business time, SLA escalation and emergency paperwork (issue 6)
into PolicySetting rows, leaving any value an administrator already set alone."""
from django.db import migrations

from changemgmt.policy_defaults import DEFAULTS

KEYS = ["business_calendar", "sla_escalation_percents", "emergency_paperwork_hours", "emergency_reminder_hours",
        "emergency_rate_target_percent"]


def load(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key in KEYS:
        value, reference, description = DEFAULTS[key]
        PolicySetting.objects.get_or_create(key=key, defaults={"value": value, "reference": reference,
                                                               "description": description})


class Migration(migrations.Migration):
    dependencies = [("changemgmt", "0002_roles_policy_ledger_guard")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
