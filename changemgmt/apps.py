from django.apps import AppConfig


class ChangemgmtConfig(AppConfig):
    name = "changemgmt"
    verbose_name = "People, policy and audit"

    def ready(self):
        from changemgmt import outbox, policy
        from changemgmt.ledger import signing_key  # noqa: F401  (registers its system checks)
        from changemgmt.notifications import tasks  # noqa: F401  (the mail task, in every process)
        from changemgmt.webhooks import services as webhooks
        from changemgmt.webhooks import tasks as webhook_tasks  # noqa: F401  (the send task, in every process)

        policy.connect_signals()
        outbox.on_delivery("*", webhooks.fan_out)  # every event goes to the webhook subscriptions it matches
