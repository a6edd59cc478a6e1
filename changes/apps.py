from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Change requests"

    def ready(self):
        from changes import conflicts, subscribers

        subscribers.connect()
        conflicts.connect()
