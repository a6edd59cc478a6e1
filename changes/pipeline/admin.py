"""Admin of the pipeline gate: environments are saved through their service (audited); decisions,
artefacts and allowances are records, read-only."""
from django.contrib import admin

from changemgmt.admin_base import AuditedAdmin, ReadOnlyAdmin
from changes.pipeline import services
from changes.pipeline.models import ArtefactAllowance, ChangeArtefact, DeployEnvironment, GateDecision


@admin.register(DeployEnvironment)
class DeployEnvironmentAdmin(AuditedAdmin):
    list_display = ("name", "description")

    def service_save(self, request, obj, form):
        return services.save_environment(actor=request.user, environment=obj)


@admin.register(GateDecision)
class GateDecisionAdmin(ReadOnlyAdmin):
    list_display = ("decided_at", "decision", "change", "service", "environment", "pipeline_id", "run_id")
    list_filter = ("decision", "environment")
    list_select_related = ("change", "service", "environment")
    search_fields = ("pipeline_id", "run_id", "artefact_digest")


@admin.register(ChangeArtefact)
class ChangeArtefactAdmin(ReadOnlyAdmin):
    list_display = ("change", "digest", "recorded_at")
    list_select_related = ("change",)


@admin.register(ArtefactAllowance)
class ArtefactAllowanceAdmin(ReadOnlyAdmin):
    list_display = ("change", "allowed_by", "reason", "allowed_at")
    list_select_related = ("change", "allowed_by")
