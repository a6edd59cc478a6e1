"""Load `emergency_rate_target_percent.period_days` (the emergency-rate metric's period, 30 days until
now written in approvals code) into databases whose policy rows predate it, and any other key or table
entry added to the defaults since 0013; an administrator's values are kept."""
from importlib import import_module

from django.db import migrations

backfill_policy = import_module("changemgmt.migrations.0013_policy_revision").backfill_policy


class Migration(migrations.Migration):
    dependencies = [("changemgmt", "0013_policy_revision")]

    operations = [migrations.RunPython(backfill_policy, migrations.RunPython.noop)]
