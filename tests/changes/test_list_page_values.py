"""changes.api.selectors.page_values: an unfiltered page runs SQL compiled once per order, with the
page's LIMIT and OFFSET; it reads what Django's own values_list of the page reads, in every order and
on every page, and a filtered page compiles as usual."""
from changes.api import selectors
from changes.api.selectors import page_values, services_column
from changes.lists.selectors import ROW_FIELDS
from changes.models import ChangeRequest
from tests.support import factories as f


def django_values(page, columns):
    return [(*row[:-1], selectors._sorted("services", row[-1], False))
            for row in page.values_list(*columns, services_column())]


def test_a_plain_page_reads_what_values_list_reads_in_every_order(requester, peer):
    for i in range(7):
        change = ChangeRequest.objects.create(title=f"Change {i % 3}", requester=requester,
                                              owner=peer if i % 2 else None)
        change.services.add(*(f.make_service(name) for name in ("b-svc", "a-svc")[:i % 3]))
    selectors._PAGES.clear()
    for order in ((), ("title", "-id"), ("-owner__username", "id")):
        changes = ChangeRequest.objects.order_by(*order) if order else ChangeRequest.objects.all()
        for columns in (ROW_FIELDS, selectors.ROW_COLUMNS):
            for low, high in ((0, 3), (3, 6), (6, 9), (9, 12)):
                assert page_values(changes[low:high], columns) == django_values(changes[low:high], columns)
    assert len(selectors._PAGES) == 6  # three orders, two sets of columns: compiled once each


def test_a_filtered_page_is_not_prepared(requester):
    ChangeRequest.objects.create(title="Only", requester=requester)
    selectors._PAGES.clear()
    page = ChangeRequest.objects.filter(title="Only")[0:50]
    assert page_values(page, ROW_FIELDS) == django_values(page, ROW_FIELDS)
    assert selectors._PAGES == {}
