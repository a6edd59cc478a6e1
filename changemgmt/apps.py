from django.apps import AppConfig


class ChangemgmtConfig(AppConfig):
    name = "changemgmt"
    verbose_name = "People, policy and audit"

    def ready(self):
        from changemgmt import policy, signing_key  # noqa: F401  (signing_key registers its system check)

        policy.connect_signals()
