"""The emergency change's models leave approvals' state for changes/emergency/ (changes 0008 adds them
there first). Their tables stay where they are: nothing happens in the database."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0008_email_decision_links'),
        ('changes', '0016_emergency_models_from_approvals'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='emergencyauthorization',
                name='authorizer',
            ),
            migrations.RemoveField(
                model_name='emergencyauthorization',
                name='change',
            ),
            migrations.RemoveField(
                model_name='emergencyauthorization',
                name='recorded_by',
            ),
            migrations.RemoveField(
                model_name='emergencyreview',
                name='change',
            ),
            migrations.RemoveField(
                model_name='emergencyreview',
                name='root_cause_by',
            ),
            migrations.RemoveField(
                model_name='emergencystep',
                name='review',
            ),
            migrations.RemoveField(
                model_name='historicalemergencyreview',
                name='change',
            ),
            migrations.RemoveField(
                model_name='historicalemergencyreview',
                name='history_user',
            ),
            migrations.RemoveField(
                model_name='historicalemergencyreview',
                name='root_cause_by',
            ),
            migrations.DeleteModel(
                name='AuthorizationRequest',
            ),
            migrations.DeleteModel(
                name='EmergencyAuthorization',
            ),
            migrations.DeleteModel(
                name='EmergencyReview',
            ),
            migrations.DeleteModel(
                name='EmergencyStep',
            ),
            migrations.DeleteModel(
                name='HistoricalEmergencyReview',
            ),
        ]),
    ]
