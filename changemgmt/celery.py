"""The Celery application. Tasks live in each app's tasks.py and in the tasks.py of the app-like
packages inside an app (changes.emergency, changes.review, audit.retention), and are discovered automatically."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changemgmt.settings")

app = Celery("changemgmt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["changes.emergency", "changes.review", "audit.retention"])
