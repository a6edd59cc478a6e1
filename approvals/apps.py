from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Approvals"

    def ready(self):
        from approvals.choices import STATUS_COLOURS, EmergencyRole, SlotRole, SlotStatus
        from changemgmt.choices import register_badges
        from changemgmt.policy_schema import register_vocabulary

        register_vocabulary("slot_roles", SlotRole.values)  # the roles policy may ask approval slots of
        register_vocabulary("emergency_roles", EmergencyRole.values)
        register_badges("slot_status", SlotStatus, STATUS_COLOURS)  # for the kernel's slot_badge filter
