"""Seed the deployment windows from the POLICY §6 default, load the calendar's policy keys, and on
PostgreSQL add the GiST expression index the conflict search's `&&` range query uses."""
from datetime import time

from django.db import migrations

from changemgmt.policy_defaults import DEFAULTS

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
NEW_POLICY_KEYS = ["freeze_rules", "slot_search"]
RANGE_INDEX = "change_planned_range_gist"


def seed_windows(apps, schema_editor):
    DeploymentWindow = apps.get_model("changes", "DeploymentWindow")
    if DeploymentWindow.objects.exists():
        return
    table = DEFAULTS["deployment_windows"][0]
    for weekday, day in enumerate(DAYS):
        for entry in table[day]:
            start_h, start_m = (int(x) for x in entry["start"].split(":"))
            end_h, end_m = (int(x) for x in entry["end"].split(":"))
            DeploymentWindow.objects.create(weekday=weekday, starts=time(start_h, start_m), ends=time(end_h, end_m),
                                            risks=list(entry["risks"]))


def load_policy(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key in NEW_POLICY_KEYS:
        value, reference, description = DEFAULTS[key]
        PolicySetting.objects.get_or_create(key=key, defaults={"value": value, "reference": reference,
                                                               "description": description})


def create_range_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {RANGE_INDEX} ON changes_changerequest "
        "USING gist (tstzrange(planned_start, planned_end)) "
        "WHERE planned_start IS NOT NULL AND planned_end IS NOT NULL")


def drop_range_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {RANGE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0002_calendar"),
        ("changemgmt", "0002_roles_policy_ledger_guard"),
    ]

    operations = [
        migrations.RunPython(seed_windows, migrations.RunPython.noop),
        migrations.RunPython(load_policy, migrations.RunPython.noop),
        migrations.RunPython(create_range_index, drop_range_index),
    ]
