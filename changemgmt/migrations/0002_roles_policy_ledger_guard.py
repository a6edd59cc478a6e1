"""Roles as groups, the default policy pack as PolicySetting rows, and the ledger's append-only
triggers."""
from django.db import migrations

from changemgmt.ledger import guard as ledger_guard
from changemgmt.policy_defaults import DEFAULTS
from changemgmt.roles import Role


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in Role.values:
        Group.objects.get_or_create(name=role)


def load_policy(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key, (value, reference, description) in DEFAULTS.items():
        PolicySetting.objects.get_or_create(key=key, defaults={"value": value, "reference": reference,
                                                               "description": description})


def install_guard(apps, schema_editor):
    ledger_guard.install(schema_editor.connection)


def remove_guard(apps, schema_editor):
    ledger_guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("changemgmt", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(load_policy, migrations.RunPython.noop),
        migrations.RunPython(install_guard, remove_guard),
    ]
