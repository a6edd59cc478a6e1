"""The user manager (changemgmt.models.people.PeopleManager) creates superusers through the people
service, so it is kept out of migrations: historical models get a plain manager."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("changemgmt", "0014_emergency_rate_period_policy"),
    ]

    operations = [
        migrations.AlterModelManagers(name="user", managers=[]),
    ]
