"""Builders for approval tests: a change waiting in approval, and New York wall-clock times."""
from datetime import datetime
from zoneinfo import ZoneInfo

from changes import services
from tests.support import factories as f

NY = ZoneInfo("America/New_York")


def ny(*args):
    return datetime(*args, tzinfo=NY)


def change_in_approval(requester, risk=f.LOW_RISK, **fields):
    change = services.create_change(actor=requester, data=f.complete_fields(**fields))
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=risk)
    return services.run_transition(change_id=change.pk, name="assess", actor=requester)
