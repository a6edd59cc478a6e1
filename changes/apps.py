from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Change requests"

    def ready(self):
        from changemgmt.choices import register_badges
        from changemgmt.policy_schema import register_vocabulary
        from changes import subscribers
        from changes.choices import RISK_COLOURS, STATE_COLOURS, RiskLevel, State, TestType

        subscribers.connect()  # every reaction of changes to an event, conflicts' included
        register_vocabulary("test_types", TestType.values)  # the test types policy may require
        register_badges("change_state", State, STATE_COLOURS, title="State")  # the kernel's badge filters
        register_badges("risk_level", RiskLevel, RISK_COLOURS, title="Risk")
