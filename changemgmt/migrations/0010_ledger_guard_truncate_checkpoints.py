"""The ledger's append-only guard, extended: TRUNCATE is refused too (PostgreSQL), and the checkpoint
table gets the same guard as the entries (see changemgmt.ledger.guard)."""
from django.db import migrations

from changemgmt.ledger import guard as ledger_guard


def install_guard(apps, schema_editor):
    ledger_guard.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("changemgmt", "0009_user_token_history")]

    operations = [migrations.RunPython(install_guard, migrations.RunPython.noop)]
