"""The ledger's Merkle tree (RFC 9162): stored perfect subtrees and signed tree heads.

The backfill adds a leaf for every existing ledger entry (keyset batches, bulk inserts; the same
code as `manage.py merkle backfill`, which a re-run leaves unchanged), and the hourly beat job
signs a tree head when the ledger grew. The job is get_or_create by name: an administrator's edit
of the schedule is left alone."""
from django.db import migrations, models

from changemgmt.ledger import merkle_store

JOB_NAME = "Ledger: sign a Merkle tree head"
TASK = "changemgmt.sign_tree_head"


def backfill(apps, schema_editor):
    merkle_store.backfill(entry_model=apps.get_model("changemgmt", "LedgerEntry"),
                          node_model=apps.get_model("changemgmt", "MerkleNode"))


def create_job(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(name=JOB_NAME, defaults={"task": TASK, "interval": hourly})


def remove_job(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=JOB_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('changemgmt', '0017_pipeline_tokens'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='MerkleNode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField()),
                ('index', models.BigIntegerField()),
                ('hash', models.CharField(help_text='lowercase hex SHA-256', max_length=64)),
            ],
            options={
                'ordering': ['level', 'index'],
                'constraints': [models.UniqueConstraint(fields=('level', 'index'), name='merkle_node_position')],
            },
        ),
        migrations.CreateModel(
            name='TreeHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tree_size', models.BigIntegerField()),
                ('root_hash', models.CharField(max_length=64)),
                ('timestamp', models.BigIntegerField(help_text='milliseconds since the Unix epoch, as in RFC 9162')),
                ('algorithm', models.CharField(default='ed25519', max_length=20)),
                ('key_id', models.CharField(help_text='which signing key: SHA-256 of its public key', max_length=16)),
                ('signature', models.CharField(help_text='hex Ed25519 signature of the tree head message', max_length=128)),
            ],
            options={
                'ordering': ['-tree_size'],
                'constraints': [models.UniqueConstraint(fields=('tree_size',), name='tree_head_size_unique')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_job, remove_job),
    ]
