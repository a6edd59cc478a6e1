"""A deployment of an artefact no change allows for that service and environment: recorded (the one
refusal that writes), security told, on the next CAB agenda, counted."""
from datetime import timedelta
from types import SimpleNamespace

from cab.choices import Section
from cab.models import AgendaItem
from cab.services.agenda import generate_agenda
from changemgmt.models import LedgerEntry, Notification, NotificationKind
from changes.pipeline.models import UnauthorizedDeployment
from changes.pipeline.selectors import unauthorized_count
from tests.pipeline.helpers import OTHER_DIGEST, report
from tests.support import cab as support
from tests.support import factories as f
from tests.support import lifecycle as life


def test_an_artefact_no_change_allows_is_recorded_and_answered_409(frozen, requester, peer, peer2, security,
                                                                    pipeline):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.DEPLOY_TIME)
    answer = report(pipeline, change, 1, artefact_digest=OTHER_DIGEST)
    assert answer.status_code == 409 and answer.json()["unauthorized"] is True
    record = UnauthorizedDeployment.objects.get()
    assert record.artefact_digest == OTHER_DIGEST and record.service.name == "payments-api" and record.stage == 1
    entry = LedgerEntry.objects.get(action="pipeline.unauthorized_change")
    assert entry.seq == answer.json()["ledger_seq"] and entry.payload["artefact_digest"] == OTHER_DIGEST
    assert Notification.objects.filter(user=security, kind=NotificationKind.UNAUTHORIZED_CHANGE).count() == 1
    assert not LedgerEntry.objects.filter(action="pipeline.deployment_report").exists()
    assert unauthorized_count((f.DEPLOY_TIME - timedelta(hours=1), f.DEPLOY_TIME + timedelta(hours=1))) == 1
    assert unauthorized_count((f.DEPLOY_TIME + timedelta(hours=1), f.DEPLOY_TIME + timedelta(hours=2))) == 0


def test_the_next_cab_agenda_lists_unauthorized_changes_since_the_last_meeting(frozen, requester, pipeline, board):
    support.make_meeting(start=support.LAST_MEETING)
    named = SimpleNamespace(reference="CHG-999999")  # detected before the change is looked up
    assert report(pipeline, named, 1, artefact_digest=OTHER_DIGEST).status_code == 409
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    [item] = AgendaItem.objects.filter(meeting=meeting, title__startswith="Unauthorized change")
    assert item.section == Section.ACTIONS and item.snapshot["artefact_digest"] == OTHER_DIGEST
