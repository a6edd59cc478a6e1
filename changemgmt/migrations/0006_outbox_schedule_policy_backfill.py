"""The outbox delivery sweep's beat schedule, and a backfill of policy settings added to the
defaults after 0002 (get_or_create: an administrator's edits are never overwritten)."""
from django.db import migrations

from changemgmt.policy_defaults import DEFAULTS

JOB_NAME = "Kernel: deliver outbox events"


def backfill_policy(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key, (value, reference, description) in DEFAULTS.items():
        PolicySetting.objects.get_or_create(key=key, defaults={"value": value, "reference": reference,
                                                               "description": description})


def create_job(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(name=JOB_NAME, defaults={"task": "changemgmt.deliver_outbox",
                                                                "interval": every_minute})


def remove_job(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=JOB_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("changemgmt", "0005_notification_kinds_conflicts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(backfill_policy, migrations.RunPython.noop),
        migrations.RunPython(create_job, remove_job),
    ]
