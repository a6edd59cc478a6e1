"""Click to reschedule from the calendar: a change on the week or day grid that the user may move
links to a small form (its plan prefilled, or an opening picked from the next ones) that posts to the
change's reschedule path, whose service runs every check again; a refusal names what is missing and
writes nothing; someone who may not move the change gets 403."""
import re
from datetime import timedelta

from django.urls import reverse

from changemgmt.models import LedgerEntry
from changes import services
from tests.support import factories as f
from tests.support import lifecycle

WEEK = f"{f.PLANNED_START:%Y-%m-%d}"


def form_page(client, change):
    return client.get(reverse("calendar:reschedule", args=[change.pk]))


def test_the_grid_links_each_change_the_user_may_move_to_its_form(frozen, client, requester, peer):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(requester)
    html = client.get(f"/calendar/?view=week&date={WEEK}").content.decode()
    assert f'href="/calendar/changes/{change.pk}/reschedule/" aria-label="Reschedule {change.reference}"' in html
    # Drag and drop (static/js/calendar-drag.js, under the CSP: no inline script) opens the same form.
    assert f'draggable="true" data-reschedule="/calendar/changes/{change.pk}/reschedule/" data-minutes="60"' in html
    assert f'<td data-start="{f.PLANNED_START:%Y-%m-%dT%H:%M}"' in html and "js/calendar-drag.js" in html
    client.force_login(peer)  # not the author, owner or operations: no link
    assert "/reschedule/" not in client.get(f"/calendar/?view=week&date={WEEK}").content.decode()


def test_the_form_is_prefilled_and_posts_to_the_reschedule_path(frozen, client, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(requester)
    response = form_page(client, change)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="/changes/{change.pk}/reschedule/"' in html
    assert f'value="{f.PLANNED_START:%Y-%m-%dT%H:%M}"' in html and f'value="{f.PLANNED_END:%Y-%m-%dT%H:%M}"' in html
    links = re.findall(r'href="\?planned_start=([^&]+)&amp;planned_end=([^"]+)"', html)
    assert len(links) >= 3  # the next openings
    start, end = links[0]
    picked = client.get(reverse("calendar:reschedule", args=[change.pk]),
                        {"planned_start": start.replace("%3A", ":"), "planned_end": end.replace("%3A", ":")})
    assert f'value="{start.replace("%3A", ":")}"' in picked.content.decode()
    # A bad pick keeps the current plan.
    bad = client.get(reverse("calendar:reschedule", args=[change.pk]), {"planned_start": "soon", "planned_end": "x"})
    assert bad.status_code == 200 and f'value="{f.PLANNED_START:%Y-%m-%dT%H:%M}"' in bad.content.decode()


def test_reschedule_from_the_calendar_moves_the_plan_through_the_service(frozen, client, requester):
    change = lifecycle.submitted(requester)
    client.force_login(requester)
    html = form_page(client, change).content.decode()
    start, end = re.findall(r'href="\?planned_start=([^&]+)&amp;planned_end=([^"]+)"', html)[1]
    start, end = start.replace("%3A", ":"), end.replace("%3A", ":")
    response = client.post(reverse("changes:reschedule", args=[change.pk]),
                           {"planned_start": start, "planned_end": end, "reason": "Planner moved it"})
    assert response.status_code == 303
    moved = f.reload(change)
    assert f"{moved.planned_start.astimezone(f.NY):%Y-%m-%dT%H:%M}" == start
    assert LedgerEntry.objects.filter(action="change.rescheduled",
                                      subject=f"changes.changerequest:{change.pk}").count() == 1
    week = client.get(f"/calendar/?view=week&date={moved.planned_start.astimezone(f.NY):%Y-%m-%d}").content.decode()
    assert f"{moved.planned_start.astimezone(f.NY):%H:%M}–" in week and change.reference in week


def test_a_refused_reschedule_shows_what_is_missing_and_writes_nothing(frozen, client, requester):
    change = lifecycle.submitted(requester)
    client.force_login(requester)
    entries = LedgerEntry.objects.count()
    start = f.PLANNED_START + timedelta(hours=9)  # outside every deployment window
    response = client.post(reverse("changes:reschedule", args=[change.pk]), {
        "planned_start": f"{start:%Y-%m-%dT%H:%M}", "planned_end": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}",
        "reason": "Try the afternoon"})
    assert response.status_code == 409 and "Not rescheduled — nothing was changed" in response.content.decode()
    assert f.reload(change).planned_start == change.planned_start
    assert LedgerEntry.objects.count() == entries


def test_someone_who_may_not_move_the_change_gets_403(frozen, client, requester, peer, auditor):
    change = lifecycle.submitted(requester)
    entries = LedgerEntry.objects.count()
    for user in (peer, auditor):
        client.force_login(user)
        assert form_page(client, change).status_code == 403
        assert client.post(reverse("changes:reschedule", args=[change.pk]), {
            "planned_start": f"{f.PLANNED_START:%Y-%m-%dT%H:%M}", "planned_end": f"{f.PLANNED_END:%Y-%m-%dT%H:%M}",
            "reason": "x"}).status_code == 403
    assert LedgerEntry.objects.count() == entries
    client.force_login(requester)
    assert client.get(reverse("calendar:reschedule", args=[999999])).status_code == 404
    client.logout()
    assert form_page(client, change).status_code == 302  # to the login page
