"""Minutes retention (POLICY §9): the tombstone stamp, the index of the sweep, and the daily beat job.

The job is get_or_create by name: re-running the migration, or an administrator's edit of the
schedule, is left alone."""
from django.conf import settings
from django.db import migrations, models

JOB = "CAB: purge minutes past retention"
TASK = "cab.purge_expired_minutes"
CRON = {"minute": "30", "hour": "3", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}


def create_job(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule = CrontabSchedule.objects.filter(**CRON).first()
    if schedule is None:
        schedule = CrontabSchedule.objects.create(timezone="America/New_York", **CRON)
    PeriodicTask.objects.get_or_create(name=JOB, defaults={"task": TASK, "crontab": schedule})


def remove_job(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=JOB).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cab", "0002_policy_and_beat_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="minutes",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True,
                                       help_text="When the retention job removed the text; the row stays as a tombstone"),
        ),
        migrations.AddIndex(
            model_name="minutes",
            index=models.Index(condition=models.Q(("published_at__isnull", False), ("purged_at__isnull", True)),
                               fields=["retain_until"], name="cab_minutes_retention_due"),
        ),
        migrations.RunPython(create_job, remove_job),
    ]
