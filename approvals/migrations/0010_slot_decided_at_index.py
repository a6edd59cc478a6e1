"""The index the metrics' review completion time uses: approval slots decided in a period."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0009_emergency_models_to_changes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='approvalslot',
            index=models.Index(condition=models.Q(('decided_at__isnull', False)), fields=['decided_at'],
                               name='slot_decided_at'),
        ),
    ]
