from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Approvals"

    def ready(self):
        from approvals.choices import EmergencyRole, SlotRole
        from changemgmt.policy_schema import register_vocabulary

        register_vocabulary("slot_roles", SlotRole.values)  # the roles policy may ask approval slots of
        register_vocabulary("emergency_roles", EmergencyRole.values)
