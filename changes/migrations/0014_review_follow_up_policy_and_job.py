"""Post-implementation review follow-ups (issue 11 §7): the policy key `pir_follow_up_hours` (an
administrator's value is never overwritten) and the beat job that reminds what fell due, every 15
minutes (get_or_create by name: an administrator's edit of the schedule survives)."""
from django.db import migrations

from changemgmt.policy_defaults import DEFAULTS

NEW_POLICY_KEYS = ["pir_follow_up_hours"]
JOB = "Changes: review follow-up reminders"
TASK = "changes.remind_review_follow_ups"


def load_policy(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key in NEW_POLICY_KEYS:
        value, reference, description = DEFAULTS[key]
        PolicySetting.objects.get_or_create(key=key, defaults={"value": value, "reference": reference,
                                                               "description": description})


def create_job(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(name=JOB, defaults={"task": TASK, "interval": schedule})


def remove_job(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=JOB).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0013_review_follow_ups"),
        ("changemgmt", "0022_review_follow_up_kind"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(load_policy, migrations.RunPython.noop),
        migrations.RunPython(create_job, remove_job),
    ]
