"""Webhooks (issue 10 §6): subscriptions and their delivery log; the beat job that sends due deliveries
every minute (get_or_create by name: an administrator's edit of the schedule is left alone); and the
policy key `webhooks` (`disable_after_days`), backfilled like every key added since 0013 (an
administrator's values are kept)."""
from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

backfill_policy = import_module("changemgmt.migrations.0013_policy_revision").backfill_policy
JOB_NAME = "Webhooks: send due deliveries"
TASK = "changemgmt.send_webhooks"


def create_job(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(name=JOB_NAME, defaults={"task": TASK, "interval": every_minute})


def remove_job(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=JOB_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('changemgmt', '0019_notification_kinds'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.CharField(max_length=2000)),
                ('description', models.CharField(blank=True, max_length=200)),
                ('event_types', models.JSONField(default=list, help_text='Topics, "*" for every topic or "area.*" for a family')),
                ('secret', models.CharField(help_text='whsec_<base64>; never shown after creation or rotation', max_length=100)),
                ('is_active', models.BooleanField(default=True)),
                ('disabled_reason', models.CharField(blank=True, max_length=300)),
                ('disabled_at', models.DateTimeField(blank=True, null=True)),
                ('failing_since', models.DateTimeField(blank=True, help_text='First failure since the last success (automatic disabling)', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered')], default='pending', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('claimed_until', models.DateTimeField(blank=True, help_text='A worker is sending it; due again after this if the worker died', null=True)),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('response_status', models.PositiveSmallIntegerField(blank=True, help_text='HTTP status, last attempt', null=True)),
                ('response_ms', models.PositiveIntegerField(blank=True, help_text='Response time of the last attempt', null=True)),
                ('last_error', models.TextField(blank=True)),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='webhook_deliveries', to='changemgmt.outboxevent')),
                ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='changemgmt.webhooksubscription')),
            ],
            options={
                'ordering': ['-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='webhooksubscription',
            constraint=models.CheckConstraint(condition=models.Q(('is_active', True), models.Q(('disabled_reason', ''), _negated=True), _connector='OR'), name='webhook_disabled_has_reason'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at', 'id'], name='webhook_delivery_due'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(fields=['subscription', '-id'], name='webhook_delivery_log'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.UniqueConstraint(fields=('subscription', 'event'), name='webhook_delivery_once_per_event'),
        ),
        migrations.RunPython(create_job, remove_job),
        migrations.RunPython(backfill_policy, migrations.RunPython.noop),
    ]
