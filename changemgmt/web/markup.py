"""Markup the Python row tags write exactly as Django's template tags would (so a page rendered by a row
tag is byte for byte the template it replaced)."""
import secrets
from html import escape

from django.urls import reverse
from django.utils.safestring import mark_safe


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
    (bench/README.md). A `hole` is a marker whose markup is `fill`ed in later: a page can be rendered
    before the part that waits for its rows (My approvals renders its frame while the database reads the
    rows). Markup put or filled in may hold markers itself. Markers are random per page: no text a user
    wrote can stand for one."""

    def __init__(self):
        self.parts: dict[str, str | None] = {}  # marker -> its markup

    def put(self, markup: str) -> str:
        """A marker that stands for `markup`."""
        marker = self.hole()
        self.parts[marker] = markup
        return marker

    def hole(self) -> str:
        """A marker for markup to `fill` in later (a safe string, for a template)."""
        marker = mark_safe(f"<!--{secrets.token_hex(16)}-->")
        self.parts[marker] = None
        return marker

    def fill(self, marker: str, markup: str) -> None:
        self.parts[marker] = markup

    def encode(self, page: str) -> bytes:
        return b"".join(self._encoded(page))

    def _encoded(self, text: str) -> list[bytes]:
        for marker, markup in self.parts.items():
            if markup is not None and marker in text:
                head, tail = text.split(marker)
                return [*self._encoded(head), *self._encoded(markup), *self._encoded(tail)]
        return [text.encode()]
