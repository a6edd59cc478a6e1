"""The policy revision (one row, bumped by every policy edit, compared by every process before it trusts
its in-memory copy), and a backfill of every policy key and table entry added to the defaults since the
last policy migration (an administrator's values are never overwritten)."""
from django.db import migrations, models

from changemgmt.policy_defaults import DEFAULTS


def backfill_policy(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key, (value, reference, description) in DEFAULTS.items():
        setting, created = PolicySetting.objects.get_or_create(
            key=key, defaults={"value": value, "reference": reference, "description": description})
        if created or not isinstance(value, dict) or not isinstance(setting.value, dict):
            continue
        missing = {entry: default for entry, default in value.items() if entry not in setting.value}
        if missing:
            setting.value = {**setting.value, **missing}
            setting.reference, setting.description = reference, description
            setting.save(update_fields=["value", "reference", "description", "updated_at"])


def create_revision(apps, schema_editor):
    apps.get_model("changemgmt", "PolicyRevision").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("changemgmt", "0012_ledger_checkpoint_ed25519")]

    operations = [
        migrations.CreateModel(
            name="PolicyRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_revision, migrations.RunPython.noop),
        migrations.RunPython(backfill_policy, migrations.RunPython.noop),
    ]
