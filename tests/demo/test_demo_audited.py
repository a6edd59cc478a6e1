"""The demo loader writes people and the catalog through the services: every row it creates has a
history row and a ledger entry, and loading twice writes nothing more."""
from approvals.choices import SlotRole, SlotStatus
from approvals.models import ApprovalSlot
from cab.models import Decision
from changemgmt.ledger import subject_of
from changemgmt.models import LedgerEntry, Team, User
from changes.models import Service, StandardTemplate
from demo import loader, people


def test_demo_people_and_catalog_are_in_the_ledger_and_the_history(db):
    people.ensure_people()
    people.ensure_catalog()

    subjects = set(LedgerEntry.objects.values_list("subject", flat=True))
    for model in (User, Team, Service, StandardTemplate):
        rows = list(model.objects.all())
        assert rows, model
        for row in rows:
            assert subject_of(row) in subjects, row
            assert row.history.exists(), row
    ada = User.objects.get(username="ada")
    created = LedgerEntry.objects.get(action="user.created", subject=subject_of(ada))
    assert created.payload["after"]["roles"] == ["administrator"] and created.actor_name == "system"


def test_loading_the_demo_people_and_catalog_twice_writes_nothing_more(db):
    people.ensure_people()
    people.ensure_catalog()
    count = LedgerEntry.objects.count()

    people.ensure_people()
    people.ensure_catalog()
    assert LedgerEntry.objects.count() == count


def test_the_demo_decides_every_cab_approval_in_a_cab_meeting_with_quorum(db):
    loader.seed()

    decided = ApprovalSlot.objects.filter(role=SlotRole.CAB).exclude(status__in=[SlotStatus.PENDING,
                                                                                SlotStatus.SUPERSEDED])
    assert decided.exists()
    for slot in decided:
        decision = Decision.objects.get(item__slot=slot)
        assert decision.tally["quorum"]["met"], slot
