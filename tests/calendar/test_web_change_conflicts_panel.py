"""The change page shows its schedule conflicts [POLICY §6]: the other change (reference, link, title),
its owner, the overlap in the organisation's time zone and the shared service or configuration item,
on both changes, in a query count that does not grow with the number of conflicts."""
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import services
from changes.calendar.models import ConfigurationItem
from tests.support import factories as f


def page(client, change) -> str:
    return client.get(reverse("changes:detail", args=[change.pk])).content.decode()


def plan(start_minutes: int, end_minutes: int) -> dict:
    return {"planned_start": (f.PLANNED_START + timedelta(minutes=start_minutes)).isoformat(),
            "planned_end": (f.PLANNED_START + timedelta(minutes=end_minutes)).isoformat()}


def test_both_change_pages_show_the_other_change_owner_local_overlap_and_shared_service(
        client, frozen, requester, peer):
    first = services.create_change(actor=requester, data=f.complete_fields(**plan(0, 60)))
    second = services.create_change(actor=peer, data=f.complete_fields(title="Payments DB <index>", **plan(30, 90)))
    client.force_login(requester)
    html = page(client, first)
    assert 'id="conflicts-heading"' in html
    assert f'href="/changes/{second.pk}/">{second.reference}</a>' in html
    assert "Payments DB &lt;index&gt;" in html  # escaped title
    assert "Bob" in html  # the other change's owner
    # 06:30 to 07:00 New York, not the UTC 11:30 of the stored times.
    assert "06:30 EST" in html and "07:00 EST" in html and "11:30" not in html.split('id="conflicts-heading"')[1]
    assert '<span class="chip">payments-api</span>' in html.split('id="conflicts-heading"')[1]
    other_side = page(client, second).split('id="conflicts-heading"')[1]
    assert f'href="/changes/{first.pk}/">{first.reference}</a>' in other_side and "Alice" in other_side


def test_a_shared_configuration_item_is_named(client, frozen, requester, peer):
    database = ConfigurationItem.objects.create(service=f.make_service(), name="payments-db")
    search = f.make_service("search")
    first = services.create_change(actor=requester, data=f.complete_fields(
        services=[search.pk], configuration_items=[database.pk], **plan(0, 60)))
    services.create_change(actor=peer, data=f.complete_fields(
        services=[search.pk], configuration_items=[database.pk], **plan(0, 60)))
    client.force_login(requester)
    panel = page(client, first).split('id="conflicts-heading"')[1].split("</section>")[0]
    assert "payments-api / payments-db" in panel and "search" in panel


def test_a_change_without_conflicts_says_so(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(requester)
    assert "No schedule conflicts." in page(client, change)


def test_conflict_panel_query_count_does_not_grow_with_conflicts(client, frozen, requester, peer):
    lonely = services.create_change(actor=requester, data=f.complete_fields(services=[f.make_service("solo").pk]))
    busy = services.create_change(actor=requester, data=f.complete_fields())
    for i in range(4):
        services.create_change(actor=peer, data=f.complete_fields(title=f"Clash {i}"))
    client.force_login(requester)
    counts = []
    for change in (lonely, busy):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("changes:detail", args=[change.pk]))
        counts.append(len(queries))
    assert page(client, busy).count('class="conflict"') == 4
    assert counts[0] == counts[1]


def test_the_page_reads_the_conflicts_the_orm_reads_from_either_side(frozen, requester, peer):
    """The change page reads its conflicts with the change in one query (changes.page_loader): from either
    side, the other change's id, title and owner, the overlap (aware datetimes) and what they share (the
    JSON, parsed), as the ORM reads them."""
    from changemgmt.templatetags.cm_format import person
    from changes import selectors
    from changes.calendar.conflicts import conflicts_of

    first = services.create_change(actor=requester, data=f.complete_fields(**plan(0, 60)))
    second = services.create_change(actor=peer, data=f.complete_fields(**plan(30, 90)))
    for change_id in (first.pk, second.pk):
        expected = [(side.pk, side.title, person(side.owner), row.overlap_start, row.overlap_end, row.shared)
                    for row in conflicts_of(change_id).order_by("overlap_start", "id")
                    for side in [row.other if row.change_id == change_id else row.change]]
        lines = selectors.change_page(change_id).conflicts
        assert [tuple(line) for line in lines] == expected and len(lines) == 1
        assert isinstance(lines[0].shared, dict) and lines[0].overlap_start.tzinfo is not None
