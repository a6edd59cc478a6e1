from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Change requests"

    def ready(self):
        from changemgmt.policy_schema import register_vocabulary
        from changes import subscribers
        from changes.choices import TestType

        subscribers.connect()  # every reaction of changes to an event, conflicts' included
        register_vocabulary("test_types", TestType.values)  # the test types policy may require
