"""The change page answers "what now?": state labels that name the state, one approvals table, no button
for the automatic approval step, sections that fold, and after a submit or deploy refused for its schedule
the next openings with a one-click reschedule that runs every check again."""
import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changemgmt.models import LedgerEntry
from changes import services
from changes.choices import State
from tests.support import factories as f
from tests.support import lifecycle


def page(client, change) -> str:
    return client.get(reverse("changes:detail", args=[change.pk])).content.decode()


def post_transition(client, change, name, data=None):
    return client.post(reverse("changes:transition", args=[change.pk, name]), data or {})


def reschedule(client, change, data):
    return client.post(reverse("changes:reschedule", args=[change.pk]), data)


def offered(html) -> list[dict]:
    forms = re.findall(r'<form method="post" action="/changes/\d+/reschedule/">(.*?)</form>', html, re.S)
    return [dict(re.findall(r'name="(planned_start|planned_end|reason)" value="([^"]*)"', form)) for form in forms]


def outside_window(requester):
    """A complete draft planned for Tuesday 14:00, outside every deployment window."""
    start = f.PLANNED_START + timedelta(hours=8)
    return lifecycle.filed(requester, planned_start=start.isoformat(),
                           planned_end=(start + timedelta(hours=1)).isoformat())


def test_state_labels_name_the_state_not_the_next_step():
    assert State.READY.label == "Ready to deploy"
    assert (State.DEPLOYED.label, State.VERIFIED.label, State.APPROVAL.label) == (
        "Deployed", "Verified", "Awaiting approval")


def test_the_badge_names_the_state_and_the_progress_bar_names_the_steps(client, frozen, requester):
    change = lifecycle.in_approval(requester)
    client.force_login(requester)
    html = page(client, change)
    assert ">Awaiting approval<" in html
    bar = html[html.index('class="pipeline"'):html.index("</ol>", html.index('class="pipeline"'))]
    assert 'aria-current="step"><span class="dot" aria-hidden="true"></span><span class="label">Approve<' in bar


def test_one_approvals_table_with_clocks_and_no_mark_approved_button(client, frozen, requester, peer):
    change = lifecycle.in_approval(requester)
    client.force_login(peer)
    html = page(client, change)
    assert html.count('class="approvals"') == 1 and "Approval clocks and history" not in html
    assert "Status and clock" in html and "History" in html
    assert "/transitions/approve/" not in html and "Mark approved" not in html
    assert "moves on by itself when the last required approval is granted" in html


def test_sections_fold_and_those_the_state_asks_about_start_open(client, frozen, requester):
    change = lifecycle.in_approval(requester)
    client.force_login(requester)
    html = page(client, change)
    for section in ("details", "risk", "tests", "timeline", "conflicts"):
        block = html[html.index(f'id="{section}"'):]
        assert re.match(r'id="\w+" aria-labelledby="\w+-heading">\s*<details>', block), section  # folded
    approvals = html[html.index('id="approvals"'):]
    assert re.match(r'id="approvals" aria-labelledby="approvals-heading">\s*<details open>', approvals)


def test_a_submit_refused_for_its_schedule_offers_the_next_openings(client, frozen, requester):
    change = outside_window(requester)
    client.force_login(requester)
    response = post_transition(client, change, "submit")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="outside_window"' in html and "Next available times" in html
    choices = offered(html)
    assert len(choices) >= 3 and all(choice["reason"] for choice in choices)
    assert "Reschedule to " in html


def test_one_click_reschedule_runs_every_check_and_the_step_then_passes(client, frozen, requester):
    change = outside_window(requester)
    client.force_login(requester)
    first = offered(post_transition(client, change, "submit").content.decode())[0]
    response = reschedule(client, change, first)
    assert response.status_code == 303 and response["Location"].endswith("#next-heading")
    moved = f.reload(change)
    assert moved.planned_start.isoformat() == first["planned_start"]
    entry = LedgerEntry.objects.filter(action="change.rescheduled", subject=f"changes.changerequest:{change.pk}").get()
    assert entry.actor == requester
    assert "rescheduled to" in page(client, change)
    assert post_transition(client, change, "submit").status_code == 303
    assert f.reload(change).state == State.ASSESSMENT


def test_a_reschedule_to_a_bad_time_is_refused_and_writes_nothing(client, frozen, requester, peer):
    change = lifecycle.submitted(requester)  # past submission, a new plan must hold the submit gate
    client.force_login(requester)
    entries = LedgerEntry.objects.count()
    start = f.PLANNED_START + timedelta(hours=9)
    response = reschedule(client, change, {"planned_start": start.isoformat(),
                                           "planned_end": (start + timedelta(hours=1)).isoformat(), "reason": "x"})
    assert response.status_code == 409 and "Not rescheduled — nothing was changed" in response.content.decode()
    response = reschedule(client, change, {"planned_start": "next week", "planned_end": "", "reason": ""})
    assert response.status_code == 400 and "planned_start" in response.content.decode()
    assert LedgerEntry.objects.count() == entries
    client.force_login(peer)  # not the author, owner or operations
    assert reschedule(client, change, {"planned_start": f.PLANNED_START.isoformat(),
                                       "planned_end": f.PLANNED_END.isoformat(), "reason": "x"}).status_code == 403
    assert LedgerEntry.objects.count() == entries


def test_a_deploy_refused_outside_its_schedule_offers_openings(client, frozen, requester, peer, peer2):
    change = lifecycle.ready(requester, [peer, peer2])
    client.force_login(requester)
    response = post_transition(client, change, "deploy", {"predeploy_checklist": lifecycle.ALL_CHECKLIST,
                                                          "deployment_method": "canary"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="outside_schedule"' in html and offered(html)


def test_the_refusal_with_openings_costs_the_same_queries_however_busy_the_calendar(client, frozen, requester, peer):
    quiet = outside_window(requester)
    busy = outside_window(requester)
    for index in range(5):  # other changes on the same service across the next windows
        start = f.PLANNED_START + timedelta(days=index)
        end = start + timedelta(hours=1)
        services.create_change(actor=peer, data=f.complete_fields(
            title=f"Busy {index}", planned_start=start.isoformat(), planned_end=end.isoformat()))
    client.force_login(requester)
    counts = []
    for change in (quiet, busy):
        with CaptureQueriesContext(connection) as queries:
            assert post_transition(client, change, "submit").status_code == 409
        counts.append(len(queries))
    assert counts[0] == counts[1]
