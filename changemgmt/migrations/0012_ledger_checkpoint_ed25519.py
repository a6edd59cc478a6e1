"""Checkpoints are signed with Ed25519 (changemgmt.ledger.signing_key) instead of HMAC with a shared secret.

Existing rows are HMAC checkpoints: adding `algorithm` with the default "hmac-sha256" marks them so
(no UPDATE: the table is append-only), then new rows default to "ed25519". On SQLite altering the
table rebuilds it, which drops its triggers: the append-only guard is installed again at the end.
"""
from django.db import migrations, models

from changemgmt.ledger import guard as ledger_guard


def install_guard(apps, schema_editor):
    ledger_guard.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("changemgmt", "0011_notification_mail_claims")]

    operations = [
        migrations.AddField(
            model_name="ledgercheckpoint",
            name="algorithm",
            field=models.CharField(default="hmac-sha256", max_length=20),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="ledgercheckpoint",
            name="algorithm",
            field=models.CharField(default="ed25519", max_length=20),
        ),
        migrations.AddField(
            model_name="ledgercheckpoint",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16,
                                   help_text="which signing key: SHA-256 of its public key"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="ledgercheckpoint",
            name="signature",
            field=models.CharField(help_text="hex Ed25519 signature of the checkpoint message", max_length=128),
        ),
        migrations.RunPython(install_guard, migrations.RunPython.noop),
    ]
