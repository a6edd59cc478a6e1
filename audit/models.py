"""The audit app's models: retention's tombstones (audit/retention/models.py)."""
from audit.retention.models import Tombstone  # noqa: F401
