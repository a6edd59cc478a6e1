from django.apps import AppConfig


class ChangemgmtConfig(AppConfig):
    name = "changemgmt"
    verbose_name = "People, policy and audit"

    def ready(self):
        from django.db.backends.signals import connection_created

        from changemgmt import outbox, policy
        from changemgmt.ledger import signing_key  # noqa: F401  (registers its system checks)
        from changemgmt.notifications import tasks  # noqa: F401  (the mail task, in every process)
        from changemgmt.pg_timestamps import use_c_timestamps
        from changemgmt.webhooks import services as webhooks
        from changemgmt.webhooks import tasks as webhook_tasks  # noqa: F401  (the send task, in every process)

        policy.connect_signals()
        connection_created.connect(use_c_timestamps, dispatch_uid="changemgmt.pg_timestamps")
        outbox.on_delivery("*", webhooks.fan_out)  # every event goes to the webhook subscriptions it matches
