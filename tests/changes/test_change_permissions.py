"""Who may do what, enforced in the services whatever the caller."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt.models import LedgerEntry
from changes import services
from changes.models import ChangeRequest
from tests.support import factories as f
from tests.support import lifecycle as life


def test_auditor_and_outsider_cannot_file(frozen, auditor, outsider):
    for user in (auditor, outsider):
        with pytest.raises(PermissionDenied):
            services.create_change(actor=user, data=f.complete_fields())
    assert ChangeRequest.objects.count() == 0


def test_only_author_or_owner_may_submit(frozen, requester, peer):
    change = life.filed(requester)
    with pytest.raises(PermissionDenied):
        services.run_transition(change_id=change.pk, name="submit", actor=peer)


def test_author_cannot_reject_own_change(frozen, requester):
    change = life.submitted(requester)
    with pytest.raises(PermissionDenied):
        services.run_transition(change_id=change.pk, name="reject", actor=requester, data={"reason": "meh"})


def test_edits_stop_once_in_approval(frozen, requester):
    change = life.in_approval(requester)
    with pytest.raises(PermissionDenied):
        services.update_change(change_id=change.pk, actor=requester, data={"title": "Sneaky"})


def test_bad_input_names_the_field_and_writes_nothing(frozen, requester):
    before = LedgerEntry.objects.count()
    cases = [
        ({"title": "x" * 100_000}, "title"),
        ({"title": "ok", "planned_start": f.PLANNED_END.isoformat(), "planned_end": f.PLANNED_START.isoformat()},
         "planned_end"),
        ({"title": "ok", "colour": "blue"}, "colour"),
        ({"title": "ok", "services": ["not-an-id"]}, "services"),
        ({"title": "ok", "change_type": "emergency"}, "emergency_criterion"),
        ({"title": "nul\x00byte"}, "title"),
        ({"title": "ok", "security_triggers": ["telepathy"]}, "security_triggers"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as error:
            services.create_change(actor=requester, data=data)
        assert field in error.value.message_dict, (data, error.value.message_dict)
    assert ChangeRequest.objects.count() == 0 and LedgerEntry.objects.count() == before


def test_unknown_transition_and_wrong_state(frozen, requester):
    from changemgmt.errors import Conflict

    change = life.filed(requester)
    with pytest.raises(ValidationError):
        services.run_transition(change_id=change.pk, name="teleport", actor=requester)
    with pytest.raises(Conflict):
        services.run_transition(change_id=change.pk, name="verify", actor=requester)
