"""The inbox_rows tag (the inbox's rows in one Python tag) renders byte for byte what the template loop
it replaced rendered: unread rows bold, text escaped, line ends as <br>, local dates, the page's CSRF
field in every form."""
from datetime import UTC, datetime

from django.template import engines
from django.utils import timezone

from changemgmt.models import Notification
from changemgmt.notifications.selectors import _finished

# The loop of templates/notifications/inbox.html before the tag, kept here as the reference.
LOOP = """{% for note in notes %}
    <tr class="{% if not note.read_at %}unread{% endif %}">
      <td>{% if not note.read_at %}<strong>{{ note.title }}</strong>{% else %}{{ note.title }}{% endif %}
        <br><small class="muted">{{ note.get_kind_display }} · {{ note.body|linebreaksbr }}</small></td>
      <td class="nowrap">{% if note.due_at %}{{ note.due_at|date:"D j M H:i" }}{% endif %}</td>
      <td class="nowrap">{{ note.created_at|date:"D j M H:i" }}</td>
      <td><form method="post" action="{% url 'inbox:open' note.pk %}">{% csrf_token %}"""\
    """<button type="submit" class="small">Open</button></form></td>
    </tr>
  {% endfor %}"""


class Note(dict):
    """A row as the selector gives it, with what the old loop read from the model."""

    pk = property(lambda self: self["id"])

    def __getattr__(self, name):
        return self[name]

    def get_kind_display(self):
        return Notification(kind=self["kind"]).get_kind_display()


NOTES = [_finished(note) for note in [
    Note(id=7, kind="mentioned", title='<b>"Bob" & \'you\'</b>', body="one\r\ntwo\rthree\n<i>four</i>",
         due_at=None, created_at=datetime(2026, 3, 8, 6, 59, tzinfo=UTC), read_at=None),
    Note(id=12, kind="sla_reminder", title="CHG-000001 due", body="",
         due_at=datetime(2026, 11, 1, 5, 30, tzinfo=UTC), created_at=datetime(2026, 1, 31, 23, 5, tzinfo=UTC),
         read_at=datetime(2026, 2, 1, tzinfo=UTC)),
    Note(id=13, kind="retired_kind", title="x", body="y", due_at=None,
         created_at=datetime(2026, 7, 4, 12, 0, tzinfo=UTC), read_at=None),
]]


def render(source, token):
    return engines["django"].from_string(source).render({"notes": NOTES, "csrf_token": token})


def test_the_tag_renders_what_the_loop_rendered(db):
    for zone in ("America/New_York", "Asia/Kolkata"):
        with timezone.override(zone):
            for token in ("tok'en", None):
                assert render("{% load cm_inbox %}{% inbox_rows notes %}", token) == render(LOOP, token)
    html = render("{% load cm_inbox %}{% inbox_rows notes %}", "t")
    assert "&lt;b&gt;&quot;Bob&quot; &amp; &#x27;you&#x27;&lt;/b&gt;" in html and "<i>" not in html
    assert "one<br>two<br>three<br>&lt;i&gt;four" in html
