"""An emergency change deployed before anyone scored its risk: it may be scored afterwards, and the
scoring creates its post-hoc approvals by the matrix while its 24-hour paperwork is open [POLICY §7]."""
import pytest
from django.core.exceptions import PermissionDenied

from approvals.models import ApprovalSlot
from changemgmt.models import LedgerEntry
from changes import services
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.emergency import authorize, deploy, emergency_change


def deployed_unscored(author, cto):  # noqa: F811
    change = emergency_change(author, risk=None)
    authorize(change, author, cto, "cto")
    return deploy(change, author)


def test_scoring_after_deployment_creates_the_post_hoc_approvals(frozen, author, cto):  # noqa: F811
    change = deployed_unscored(author, cto)
    review = change.emergency_review
    assert not change.approval_slots.exists() and not review.approvals_complete
    services.score_risk(change_id=change.pk, actor=author, data=f.HIGH_RISK)
    roles = set(ApprovalSlot.objects.filter(change=change).values_list("role", flat=True))
    assert {"peer", "manager", "security", "cab"} <= roles
    review.refresh_from_db()
    assert review.cab_review is True and review.completed_at is None and not review.approvals_complete
    assert LedgerEntry.objects.filter(action="approvals.slots_synced", subject__contains=str(change.pk)).exists()


def test_a_late_score_is_allowed_once_and_only_for_emergency_changes(frozen, author, cto, requester, peer,  # noqa: F811
                                                                     peer2, operations):
    change = deployed_unscored(author, cto)
    services.score_risk(change_id=change.pk, actor=author, data=f.LOW_RISK)
    count = ApprovalSlot.objects.filter(change=change).count()
    with pytest.raises(PermissionDenied):  # scored: it is no longer open to (re)scoring after deployment
        services.score_risk(change_id=change.pk, actor=author, data=f.HIGH_RISK)
    assert ApprovalSlot.objects.filter(change=change).count() == count
    normal = life.deployed(requester, [peer, peer2, operations], frozen)
    with pytest.raises(PermissionDenied):
        services.score_risk(change_id=normal.pk, actor=requester, data=f.HIGH_RISK)


def test_an_emergency_scored_before_deployment_keeps_its_slots(frozen, author, cto):  # noqa: F811
    change = emergency_change(author)
    authorize(change, author, cto, "cto")
    deployed = deploy(change, author)
    before = list(ApprovalSlot.objects.filter(change=deployed).values_list("id", flat=True))
    assert before
    with pytest.raises(PermissionDenied):
        services.score_risk(change_id=deployed.pk, actor=author, data=f.HIGH_RISK)
