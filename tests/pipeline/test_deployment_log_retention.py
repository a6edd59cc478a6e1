"""Deployment logs are kept one year (POLICY §9, issue 11 §8): the retention job then clears a
deployment report's pipeline log fields, leaving a tombstone and a ledger entry; its numbers stay."""
from datetime import timedelta

import pytest

from audit.retention.models import Tombstone
from audit.retention.tasks import purge_expired_records
from changemgmt.models import LedgerEntry
from changes.pipeline.models import DeploymentReport
from tests.pipeline.helpers import report
from tests.support import factories as f
from tests.support import lifecycle as life

pytestmark = pytest.mark.django_db


def test_deployment_reports_purged_after_a_year(frozen, requester, peer, peer2, pipeline):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.DEPLOY_TIME)
    assert pipeline.ask(change).json()["decision"] == "allow"
    assert report(pipeline, change, 1).status_code in (200, 201)
    row = DeploymentReport.objects.get(change=change)
    frozen.move_to(row.reported_at + timedelta(days=364))
    assert purge_expired_records()["deployment_logs"] == 0
    frozen.move_to(row.reported_at + timedelta(days=367))
    assert purge_expired_records()["deployment_logs"] == 1
    row.refresh_from_db()
    assert (row.pipeline_id, row.run_id, row.stage) == ("", "", 1)
    stone = Tombstone.objects.get(kind="deployment_logs", object_id=row.pk)
    assert LedgerEntry.objects.filter(action="retention.purged", payload__content_sha256=stone.content_sha256
                                      ).count() == 1
