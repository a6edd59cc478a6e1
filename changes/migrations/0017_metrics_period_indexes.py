"""Indexes the metrics' period queries use: changes deployed in a period, rollbacks completed in one."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('changes', '0016_emergency_models_from_approvals'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='changerequest',
            index=models.Index(fields=['deployed_at'], name='change_deployed_at'),
        ),
        migrations.AddIndex(
            model_name='rollbackrecord',
            index=models.Index(fields=['completed_at'], name='rollback_completed_at'),
        ),
    ]
