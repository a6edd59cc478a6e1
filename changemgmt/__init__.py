"""changemgmt: the site and the kernel every app may use."""
from changemgmt.celery import app as celery_app

__all__ = ["celery_app"]
