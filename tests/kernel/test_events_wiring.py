"""How the layers talk (README "Layers"): one synchronous subscriber table in changes/subscribers.py,
the webhooks' fan-out as the one outbox delivery handler, and no reflection or injected callbacks
between changes and its emergency package."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_synchronous_subscriber_is_listed_in_changes_subscribers():
    """Approvals subscribes to nothing; the calendar's conflicts are connected from the same table.
    Handlers that tests subscribe for themselves are left out."""
    from changemgmt import events

    modules = {handler.__module__ for handlers in events._subscribers.values() for handler in handlers
               if not handler.__module__.startswith("tests")}
    assert modules == {"changes.subscribers", "changes.calendar.services"}
    assert "calendar_services.connect_conflicts()" in (ROOT / "changes" / "subscribers.py").read_text()


def test_the_webhooks_fan_out_is_the_one_delivery_handler_for_every_topic():
    """The outbox is the webhooks' queue: every event is handed to the fan-out, and to nothing else."""
    from changemgmt import outbox
    from changemgmt.webhooks import services

    assert {topic: handlers for topic, handlers in outbox._deliverers.items() if handlers} == {"*": [services.fan_out]}
    assert outbox.deliverers("change.deployed") == [services.fan_out]


def test_changes_reaches_its_emergency_package_by_plain_imports():
    """No injected callbacks nor reflection: the emergency package imports changes' models and gates."""
    sources = " ".join(path.read_text() for path in (ROOT / "changes" / "emergency").rglob("*.py"))
    assert "_meta.get_field" not in sources and "set_documentation_check" not in sources
    assert all("hasattr(" not in path.read_text() for path in (ROOT / "approvals" / "services").rglob("*.py"))


def test_every_beat_job_finds_its_task_after_the_emergency_sweep_moved(db):
    """changes.emergency.tasks keeps the name approvals.emergency_sweep that migration approvals 0006
    stored, and the Celery app discovers it inside the changes app."""
    from django_celery_beat.models import PeriodicTask

    from changemgmt.celery import app

    app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True)) - {"celery.backend_cleanup"}
    assert "approvals.emergency_sweep" in scheduled
    assert scheduled <= set(app.tasks)
