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
