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

        from django.contrib.auth.signals import user_logged_in

        from approvals import email_link_services
        from changemgmt.models import NotificationKind
        from changemgmt.notifications import mail

        # The approval-request and SLA-reminder mails' signed grant/reject links, minted as each is rendered; and
        # when each session last proved its password (deciding through such a link may ask for a fresh login).
        mail.register_context(NotificationKind.APPROVAL_REQUESTED, email_link_services.mail_context)
        mail.register_context(NotificationKind.SLA_REMINDER, email_link_services.reminder_context)
        user_logged_in.connect(email_link_services.note_login, dispatch_uid="approvals.note_login")
