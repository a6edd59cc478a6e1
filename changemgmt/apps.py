from django.apps import AppConfig


class ChangemgmtConfig(AppConfig):
    name = "changemgmt"
    verbose_name = "People, policy and audit"

    def ready(self):
        from changemgmt import policy

        policy.connect_signals()
