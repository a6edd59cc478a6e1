"""Markup the Python row tags write exactly as Django's template tags would (so a page rendered by a row
tag is byte for byte the template it replaced)."""
import secrets
from html import escape

from django.urls import reverse


def csrf_field(token) -> str:
    """What `{% csrf_token %}` renders for the context's token: nothing without one or for NOTPROVIDED."""
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


_SENTINEL = 987654321


def url_by_pk(name: str):
    """`pk -> escaped URL` of the route `name` (one `<int:pk>` argument), reversed and escaped once for a
    whole table instead of once per row: escaping works character by character and a pk is digits, so
    the escaped parts around it are the escaped URL."""
    head, tail = (escape(part) for part in reverse(name, args=[_SENTINEL]).split(str(_SENTINEL)))
    return lambda pk: f"{head}{int(pk)}{tail}"


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


class Spliced:
    """Markup that bypasses the template engine's nesting: a row tag `put`s its table here and prints the
    marker it gets back; `encode(page)` is the rendered page, as response bytes, with the table in the
    marker's place. Django joins each template level's output into a new string, so My approvals' 500
    rows (600 KB) were copied about ten times on their way out, widened to two bytes a character by the
    first non-Latin-1 character of the page around them, and encoded once more: 2 ms of the page
    (bench/README.md). The marker is random per page: no text a user wrote can stand for it."""

    def __init__(self):
        self.marker, self.markup = f"<!--{secrets.token_hex(16)}-->", None

    def put(self, markup: str) -> str:
        self.markup = markup
        return self.marker

    def encode(self, page: str) -> bytes:
        if self.markup is None:
            return page.encode()
        head, tail = page.split(self.marker)
        return b"".join((head.encode(), self.markup.encode(), tail.encode()))
