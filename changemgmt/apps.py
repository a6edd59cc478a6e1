from django.apps import AppConfig


class ChangemgmtConfig(AppConfig):
    name = "changemgmt"
    verbose_name = "People, policy and audit"

    def ready(self):
        from changemgmt import policy
        from changemgmt.ledger import signing_key  # noqa: F401  (registers its system checks)

        policy.connect_signals()
