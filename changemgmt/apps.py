from django.apps import AppConfig


class ChangemgmtConfig(AppConfig):
    name = "changemgmt"
    verbose_name = "People, policy and audit"

    def ready(self):
        from changemgmt import policy
        from changemgmt.ledger import signing_key  # noqa: F401  (registers its system checks)
        from changemgmt.notifications import tasks  # noqa: F401  (the mail task, in every process)

        policy.connect_signals()
