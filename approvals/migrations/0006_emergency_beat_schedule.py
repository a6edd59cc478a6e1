"""The Celery beat schedule of the emergency-paperwork sweep: every minute. get_or_create, so an
administrator's edit of the schedule survives re-running migrations."""
from django.db import migrations

JOBS = {"Approvals: emergency paperwork reminders and escalations": ("approvals.emergency_sweep",
                                                                     {"every": 1, "period": "minutes"})}


def create_jobs(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, arguments) in JOBS.items():
        schedule, _ = IntervalSchedule.objects.get_or_create(**arguments)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": schedule})


def remove_jobs(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=list(JOBS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0005_emergency"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_jobs, remove_jobs)]
