from django.apps import AppConfig


class CabConfig(AppConfig):
    name = "cab"
    verbose_name = "Change Advisory Board"

    def ready(self):
        """Put CAB meetings into the change calendar's iCalendar feeds (changes cannot import cab), and
        register the CAB's tasks in every process: its services queue them by name."""
        from cab import tasks  # noqa: F401
        from cab.feed import meeting_events
        from changes.calendar.feeds import register_source

        register_source(meeting_events)
