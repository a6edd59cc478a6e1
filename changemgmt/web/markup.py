"""Markup the Python row tags write exactly as Django's template tags would (so a page rendered by a row
tag is byte for byte the template it replaced)."""
from html import escape

from django.urls import reverse


def csrf_field(token) -> str:
    """What `{% csrf_token %}` renders for the context's token: nothing without one or for NOTPROVIDED."""
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


_SENTINEL = 987654321


def url_by_pk(name: str):
    """`pk -> escaped URL` of the route `name` (one `<int:pk>` argument), reversed once for a whole table
    instead of once per row."""
    head, tail = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL))
    return lambda pk: escape(f"{head}{pk}{tail}")


class PerTable(dict):
    """`made[value]` is `markup(value)`, made once per distinct value of one table: the row tags' badges,
    chips and escaped texts repeat from row to row (a state, a role, an owner), and making them again on
    every row was a fifth of a tag's time or more (bench/README.md)."""

    def __init__(self, markup):
        super().__init__()
        self.markup = markup

    def __missing__(self, value) -> str:
        made = self[value] = self.markup(value)
        return made
