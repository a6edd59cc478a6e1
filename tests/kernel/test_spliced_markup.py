"""changemgmt.web.markup.Spliced: a page rendered with a table spliced in is, byte for byte, the page
rendered with the table in place; the marker differs from page to page."""
from django.template import engines
from django.utils.safestring import mark_safe

from changemgmt.web.markup import Spliced

PAGE = "<main>{% if rows %}<table>{{ rows }}</table>{% endif %} “—”</main>"


def render(rows) -> str:
    return engines["django"].from_string(PAGE).render({"rows": mark_safe(rows)})


def test_the_spliced_page_is_the_page_with_the_markup_in_place():
    table = "<tr><td>CHG-000001 § café</td></tr>" * 3
    spliced = Spliced()
    assert spliced.encode(render(spliced.put(table))) == render(table).encode()


def test_nothing_put_is_the_page_as_it_is_and_markers_are_random():
    assert Spliced().encode(render("")) == render("").encode()
    assert Spliced().put("x") != Spliced().put("x")


def test_a_hole_filled_after_the_page_is_rendered_may_hold_a_marker_itself():
    """My approvals renders its frame before its rows are in: the live part is a hole filled later, and
    its rows are put in it by the row tag."""
    table = "<tr><td>é</td></tr>"
    spliced = Spliced()
    hole = spliced.hole()
    page = engines["django"].from_string("<main>{{ live }}</main>").render({"live": hole})
    spliced.fill(hole, f"<div>{spliced.put(table)}</div>")
    assert spliced.encode(page) == f"<main><div>{table}</div></main>".encode()
