"""The emergency change's models move from approvals to changes/emergency/ in the state only: their tables
keep their names (db_table), so no row moves. approvals 0008 drops them from approvals' state after this
migration adds them to changes'. Their content types (and so their permissions) are renamed with them."""
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MODELS = ["emergencyauthorization", "authorizationrequest", "emergencyreview", "historicalemergencyreview",
          "emergencystep"]


def _rename(apps, old: str, new: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    taken = set(content_types.objects.filter(app_label=new, model__in=MODELS).values_list("model", flat=True))
    content_types.objects.filter(app_label=old, model__in=set(MODELS) - taken).update(app_label=new)


def to_changes(apps, schema_editor):
    _rename(apps, "approvals", "changes")


def to_approvals(apps, schema_editor):
    _rename(apps, "changes", "approvals")


class Migration(migrations.Migration):

    dependencies = [
        ('changes', '0015_legal_hold'),
        ('approvals', '0008_email_decision_links'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='EmergencyAuthorization',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('authorizer_role', models.CharField(choices=[('manager', 'Manager'), ('security', 'Security'), ('cto', 'CTO'), ('ciso', 'CISO')], max_length=10)),
                    ('how', models.CharField(choices=[('phone', 'By phone'), ('in_person', 'In person'), ('chat', 'By chat')], max_length=10)),
                    ('authorized_at', models.DateTimeField()),
                    ('recorded_at', models.DateTimeField(auto_now_add=True)),
                    ('notes', models.TextField(blank=True)),
                    ('authorizer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('change', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='emergency_authorizations', to='changes.changerequest')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'approvals_emergencyauthorization',
                    'ordering': ['change', 'authorized_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='AuthorizationRequest',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('authorizer_role', models.CharField(choices=[('manager', 'Manager'), ('security', 'Security'), ('cto', 'CTO'), ('ciso', 'CISO')], max_length=10)),
                    ('how', models.CharField(choices=[('phone', 'By phone'), ('in_person', 'In person'), ('chat', 'By chat')], max_length=10)),
                    ('authorized_at', models.DateTimeField(help_text='When the go-ahead was given, as the recorder says')),
                    ('notes', models.TextField(blank=True)),
                    ('requested_at', models.DateTimeField(auto_now_add=True)),
                    ('expires_at', models.DateTimeField()),
                    ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                    ('authorizer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('change', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='authorization_requests', to='changes.changerequest')),
                    ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('authorization', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='request', to='changes.emergencyauthorization')),
                ],
                options={
                    'db_table': 'approvals_authorizationrequest',
                    'ordering': ['change', 'requested_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='EmergencyReview',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('deployed_at', models.DateTimeField()),
                    ('due_at', models.DateTimeField()),
                    ('documentation_complete', models.BooleanField(default=False)),
                    ('documentation_missing', models.JSONField(blank=True, default=list)),
                    ('approvals_complete', models.BooleanField(default=False)),
                    ('root_cause', models.TextField(blank=True)),
                    ('root_cause_at', models.DateTimeField(blank=True, null=True)),
                    ('completed_at', models.DateTimeField(blank=True, null=True)),
                    ('cab_review', models.BooleanField(default=False, help_text='High/critical: goes on the next CAB agenda')),
                    ('next_step', models.CharField(blank=True, max_length=30)),
                    ('next_step_at', models.DateTimeField(blank=True, null=True)),
                    ('change', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='emergency_review', to='changes.changerequest')),
                    ('root_cause_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'approvals_emergencyreview',
                    'ordering': ['due_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='EmergencyStep',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('step', models.CharField(max_length=30)),
                    ('scheduled_at', models.DateTimeField()),
                    ('sent_at', models.DateTimeField()),
                    ('recipients', models.JSONField(default=list)),
                    ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='changes.emergencyreview')),
                ],
                options={
                    'db_table': 'approvals_emergencystep',
                    'ordering': ['review', 'scheduled_at'],
                },
            ),
            migrations.CreateModel(
                name='HistoricalEmergencyReview',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('deployed_at', models.DateTimeField()),
                    ('due_at', models.DateTimeField()),
                    ('documentation_complete', models.BooleanField(default=False)),
                    ('documentation_missing', models.JSONField(blank=True, default=list)),
                    ('approvals_complete', models.BooleanField(default=False)),
                    ('root_cause', models.TextField(blank=True)),
                    ('root_cause_at', models.DateTimeField(blank=True, null=True)),
                    ('completed_at', models.DateTimeField(blank=True, null=True)),
                    ('cab_review', models.BooleanField(default=False, help_text='High/critical: goes on the next CAB agenda')),
                    ('next_step', models.CharField(blank=True, max_length=30)),
                    ('next_step_at', models.DateTimeField(blank=True, null=True)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.CharField(max_length=100, null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('change', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='changes.changerequest')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('root_cause_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical emergency review',
                    'verbose_name_plural': 'historical emergency reviews',
                    'db_table': 'approvals_historicalemergencyreview',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.AddConstraint(
                model_name='emergencyauthorization',
                constraint=models.UniqueConstraint(fields=('change', 'authorizer_role'), name='emergency_auth_once_per_role'),
            ),
            migrations.AddConstraint(
                model_name='emergencyauthorization',
                constraint=models.UniqueConstraint(fields=('change', 'authorizer'), name='emergency_auth_once_per_person'),
            ),
            migrations.AddConstraint(
                model_name='authorizationrequest',
                constraint=models.CheckConstraint(condition=models.Q(('confirmed_at__isnull', True), ('authorization__isnull', False), _connector='OR'), name='auth_request_confirmed_has_authorization'),
            ),
            migrations.AddIndex(
                model_name='emergencyreview',
                index=models.Index(condition=models.Q(('completed_at__isnull', True), ('next_step_at__isnull', False)), fields=['next_step_at'], name='emergency_review_due'),
            ),
            migrations.AddIndex(
                model_name='emergencyreview',
                index=models.Index(condition=models.Q(('completed_at__isnull', True)), fields=['due_at'], name='emergency_review_open'),
            ),
            migrations.AddIndex(
                model_name='emergencyreview',
                index=models.Index(condition=models.Q(('cab_review', True)), fields=['cab_review'], name='emergency_review_cab'),
            ),
            migrations.AddConstraint(
                model_name='emergencystep',
                constraint=models.UniqueConstraint(fields=('review', 'step'), name='emergency_step_once'),
            ),
        ]),
        migrations.RunPython(to_changes, to_approvals),
    ]
