"""Sessions move to changemgmt_session, whose rows name their user (changemgmt.models.sessions): the
signed-in sessions already open are copied with the user their data names, so nobody is signed out by
the upgrade, and the old table is emptied."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



def copy_open_sessions(apps, schema_editor):
    from django.contrib.sessions.backends.db import SessionStore  # its name salts the data's signature

    from changemgmt.sessions import session_user_id

    old, new = apps.get_model("sessions", "Session"), apps.get_model("changemgmt", "UserSession")
    users = set(apps.get_model("changemgmt", "User").objects.values_list("pk", flat=True))
    decode = SessionStore().decode  # an undecodable row decodes to {}: a session of nobody
    new.objects.bulk_create(
        [new(session_key=row.session_key, session_data=row.session_data, expire_date=row.expire_date,
             user_id=user_id if user_id in users else None)
         for row in old.objects.all().iterator()
         for user_id in [session_user_id(decode(row.session_data))]], batch_size=500)
    old.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('changemgmt', '0024_notification_kinds_merged'),
        ('sessions', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='UserSession',
            fields=[
                ('session_key', models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name='session key')),
                ('session_data', models.TextField(verbose_name='session data')),
                ('expire_date', models.DateTimeField(db_index=True, verbose_name='expire date')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'session',
                'verbose_name_plural': 'sessions',
                'db_table': 'changemgmt_session',
                'abstract': False,
            },
        ),
        migrations.RunPython(copy_open_sessions, migrations.RunPython.noop),
    ]
