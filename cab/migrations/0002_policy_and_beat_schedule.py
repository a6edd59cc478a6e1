"""Load the CAB policy defaults and the Celery beat schedule of the CAB's periodic jobs.

Both are get_or_create: running this migration on a database that already has them (or that an
administrator edited) changes nothing.
"""
from django.db import migrations

from changemgmt.policy_defaults import DEFAULTS

POLICY_KEYS = ["cab"]
# name -> (task, schedule kind, schedule arguments)
JOBS = {
    "CAB: create upcoming meetings": ("cab.schedule_meetings", "crontab", {"minute": "5", "hour": "*"}),
    "CAB: generate due agendas": ("cab.generate_due_agendas", "interval", {"every": 15, "period": "minutes"}),
    "CAB: remind action-item owners": ("cab.remind_action_items", "crontab", {"minute": "0", "hour": "8"}),
}


def load_policy(apps, schema_editor):
    PolicySetting = apps.get_model("changemgmt", "PolicySetting")
    for key in POLICY_KEYS:
        value, reference, description = DEFAULTS[key]
        PolicySetting.objects.get_or_create(key=key, defaults={"value": value, "reference": reference,
                                                               "description": description})


def create_jobs(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, kind, arguments) in JOBS.items():
        if kind == "crontab":
            schedule = CrontabSchedule.objects.filter(day_of_week="*", day_of_month="*", month_of_year="*",
                                                      **arguments).first()
            if schedule is None:
                schedule = CrontabSchedule.objects.create(day_of_week="*", day_of_month="*", month_of_year="*",
                                                          timezone="America/New_York", **arguments)
            PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule})
        else:
            schedule, _ = IntervalSchedule.objects.get_or_create(**arguments)
            PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": schedule})


def remove_jobs(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=list(JOBS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cab", "0001_initial"),
        ("changemgmt", "0002_roles_policy_ledger_guard"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(load_policy, migrations.RunPython.noop),
        migrations.RunPython(create_jobs, remove_jobs),
    ]
