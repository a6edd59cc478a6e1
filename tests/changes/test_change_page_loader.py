"""The change page's one-query loader (changes.page_loader, selectors.change_page) builds what the ORM
reads: the same model instances with the same values (time zones included), the same conflict lines,
ledger entries, SLA steps and history rows, in the same order; on PostgreSQL through a statement
prepared once per connection."""
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from approvals.models import ApprovalSlot, SlaStep
from approvals.presenters import _STEPS
from changemgmt.templatetags.cm_format import person as shown
from changemgmt.web import timeline
from changes import selectors, services
from changes.calendar.conflicts import conflicts_of
from changes.calendar.models import ChangeConflict
from changes.models import ChangeRequest, RollbackRecord, Service
from changes.models import TestEvidence as Evidence
from tests.support import factories as f
from tests.support import lifecycle as life


def values(instances) -> list[str]:
    """Each instance's column values (and its class), as repr shows them: a datetime's tzinfo too."""
    return [repr((type(item), {key: value for key, value in vars(item).items() if not key.startswith("_")}))
            for item in instances]


def rolled_back_in_conflict(requester, approvers, frozen):
    earlier = services.create_change(actor=approvers[0], data=f.complete_fields(title="Filed before"))
    change = life.deployed(requester, approvers, frozen)
    change.services.add(f.make_service("billing"), f.make_service("alpha-db"))
    services.run_transition(change_id=change.pk, name="roll_back", actor=requester, data={
        "severity": "high", "trigger": "error_rate_rise", "kind": "application",
        "decided_at": f.DEPLOY_TIME.isoformat(),
        "completed_at": (f.DEPLOY_TIME + timedelta(minutes=12, microseconds=5)).isoformat(),
        "reason": "5xx rose", "steps_executed": "Redeployed", "impact": "errors", "root_cause": "Null",
        "preventive_measures": "Contract test"})
    later = services.create_change(actor=approvers[1], data=f.complete_fields(title="Filed after <b>"))
    start = change.planned_start + timedelta(microseconds=250)
    for first, second, minutes in ((earlier, change, 30), (change, later, 0)):  # on either side of the pair
        ChangeConflict.objects.update_or_create(change=first, other=second, defaults={
            "overlap_start": start + timedelta(minutes=minutes), "overlap_end": start + timedelta(minutes=60),
            "shared": {"services": ["billing", "é"], "items": [minutes]}})
    for number, slot in enumerate(ApprovalSlot.objects.filter(change=change).order_by("-id")):
        SlaStep.objects.create(slot=slot, step="remind_50", recipients=["mia", number],
                               scheduled_at=slot.created_at + timedelta(hours=1, microseconds=number),
                               sent_at=slot.created_at + timedelta(hours=1, seconds=number))
    return change


def test_the_page_reads_in_one_query_what_the_orm_reads(frozen, requester, peer, peer2):
    change = rolled_back_in_conflict(requester, [peer, peer2], frozen)
    with CaptureQueriesContext(connection) as queries:
        page = selectors.change_page(change.pk)
    assert len(queries) == 1

    loaded = page.change
    expected = ChangeRequest.objects.select_related("team", "template").get(pk=change.pk)
    assert values([loaded]) == values([expected])
    assert values([loaded.team]) == values([expected.team]) and loaded.template == expected.template
    relations = {
        "services": Service.objects.filter(changes=change.pk),
        "approval_slots": ApprovalSlot.objects.filter(change=change.pk).order_by("id"),
        "test_evidence": Evidence.objects.filter(change=change.pk).order_by("-recorded_at", "id"),
        "rollbacks": RollbackRecord.objects.filter(change=change.pk),
    }
    for name, rows in relations.items():
        assert rows.exists(), name
        assert values(getattr(loaded, name).all()) == values(rows), name
    slots, evidence = list(loaded.approval_slots.all()), list(loaded.test_evidence.all())
    assert all(row.change is loaded for row in (*slots, *evidence, *loaded.rollbacks.all()))
    people = [loaded.owner, loaded.requester, *(slot.decided_by for slot in slots if slot.decided_by_id),
              *(row.recorded_by for row in evidence)]
    for person in people:  # the columns a page shows, the rest deferred
        expected_person = type(person).objects.only(*selectors.PERSON_FIELDS, "team").get(pk=person.pk)
        assert values([person]) == values([expected_person])
        assert person.get_deferred_fields() == expected_person.get_deferred_fields()

    assert values(page.sla_steps) == values(_STEPS.objects(change.pk)) and len(page.sla_steps) == len(slots)
    expected = [selectors.ConflictLine(side.pk, side.title, shown(side.owner), row.overlap_start, row.overlap_end,
                                       row.shared)
                for row in conflicts_of(change.pk).order_by("overlap_start", "id")
                for side in [row.other if row.change_id == change.pk else row.change]]
    assert page.conflicts == expected and len(page.conflicts) == 2
    assert repr(page.conflicts) == repr(expected)
    assert values(page.ledger) == values(selectors.ledger_for(change)) and page.ledger
    history = timeline._history_query(ChangeRequest)[1].rows(change.pk)
    assert repr(page.history) == repr(history) and len(history) > 3


def test_no_such_change_is_none(db):
    assert selectors.change_page(987_654) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_page_query_runs_prepared_and_outlives_a_rollback(frozen, requester):
    change = life.filed(requester)
    sent = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            page = selectors.change_page(change.pk)
        assert page.change.pk == change.pk and len(queries) == 1
        sent.append(queries[0]["sql"])
        with pytest.raises(RuntimeError), transaction.atomic():  # a rolled-back transaction keeps it
            raise RuntimeError
    assert sent[0].startswith("EXECUTE cm_") and sent[0] == sent[1] == sent[2]
