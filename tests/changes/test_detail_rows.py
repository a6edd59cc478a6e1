"""The change page's Python row tags (changes/templatetags/detail_rows.py) render byte for byte what
the template loops they replaced rendered: timeline events with and without field diffs and ledger
details, the empty timeline, evidence rows passed and failed with and without a link, user text
escaped and line ends as <br>, in two time zones; the progress bar's steps in every state and the
scorecard's factors scored and not; and the timeline's history read (only the columns shown) diffs as
simple-history's diff_against did."""
from datetime import UTC, datetime

from django.template import engines
from django.utils import timezone

from changemgmt.models import User
from changemgmt.web.timeline import Event, _display, _history_events
from changes import models as change_models
from changes import services
from changes.choices import State
from changes.presenters import EvidenceRow, pipeline
from changes.risk import FACTORS
from tests.support import factories as f

# The loops of templates/changes/detail.html before the tags, kept here as the reference.
TIMELINE_LOOP = (
    '{% for event in timeline %}\n        <li class="event event-{{ event.source }}">\n          '
    '<div class="event-head">\n            <time datetime="{{ event.when|iso }}">{{ event.when|l'
    'ocal:"short" }}</time>\n            <span class="actor">{{ event.actor }}</span>\n          '
    '  {% if event.from_ledger %}<code class="action">{{ event.title }}</code> <span class="mut'
    'ed small">ledger #{{ event.seq }}</span>{% else %}<span class="muted">{% if event.changes '
    '%}Row history{% else %}{{ event.title }}{% endif %}</span>{% endif %}\n          </div>\n   '
    '       {% if event.changes %}\n          <details class="diff-details">\n            <summar'
    'y>{{ event.changes|length }} field{{ event.changes|length|pluralize }}: {% for label, befo'
    're, after in event.changes %}{{ label }}{% if not forloop.last %}, {% endif %}{% endfor %}'
    '</summary>\n            <table class="diff">\n              <thead class="visually-hidden"><'
    'tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></t'
    'head>\n              <tbody>{% for label, before, after in event.changes %}<tr><th scope="r'
    'ow">{{ label }}</th><td class="before"><span class="visually-hidden">was </span>{{ before '
    '}}</td><td class="after"><span class="visually-hidden">now </span>{{ after }}</td></tr>{% '
    'endfor %}</tbody>\n            </table>\n          </details>\n          {% endif %}\n        '
    '  {% if event.details %}\n          <dl class="event-details">{% for key, value in event.de'
    'tails %}<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>\n          {% endif %}\n    '
    '    </li>\n        {% empty %}\n        <li class="muted">No history yet.</li>\n        {% en'
    'dfor %}'
)
EVIDENCE_LOOP = (
    '{% for row in evidence_rows %}{% with evidence=row.evidence %}\n          <tr><td>{{ eviden'
    'ce.get_test_type_display }}</td>\n            <td>{% if row.passed %}<span class="badge bad'
    'ge-green">Passed</span>{% else %}<span class="badge badge-red">Failed</span>{% endif %}</t'
    'd>\n            <td>{{ evidence.summary|linebreaksbr }}{% if evidence.evidence_url %}<br><a'
    ' href="{{ evidence.evidence_url }}" rel="noopener noreferrer">evidence</a>{% endif %}</td>'
    '\n            <td class="nowrap">{{ evidence.recorded_by|person }}<br><span class="muted sm'
    'all">{{ evidence.recorded_at|local:"short" }}</span></td></tr>\n        {% endwith %}{% end'
    'for %}'
)
PIPELINE_LOOP = (
    '{% for step in pipeline %}\n  <li class="pipeline-{{ step.status }}"{% if step.current %} aria-current="step"'
    '{% endif %}><span class="dot" aria-hidden="true"></span><span class="label">{{ step.label }}</span><span '
    'class="visually-hidden"> ({{ step.spoken }})</span></li>\n  {% endfor %}'
)
FACTORS_LOOP = (
    '{% for label, score, levels in factors %}\n          <tr><th scope="row">{{ label }}</th><td>{{ score|default:"'
    '—" }}</td><td>{% if score %}{% for text in levels %}{% if forloop.counter == score %}{{ text }}{% endif %}'
    '{% endfor %}{% else %}<span class="muted">not scored</span>{% endif %}</td></tr>\n        {% endfor %}'
)

WHEN = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)
EVENTS = [
    Event(WHEN, "ledger", "<b>al'ice</b>", "change.submit", details=[("state", "draft → submitted"),
                                                                       ("reason", 'a "quoted" & <odd>')], seq=41),
    Event(WHEN, "ledger", "system", "sla.remind", seq=3),
    Event(datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "history", "bob", "Fields changed",
          changes=[("Title", "<old>", "new & 'better'")]),
    Event(datetime(2026, 1, 31, 23, 5, tzinfo=UTC), "history", "bob", "Fields changed",
          changes=[("Title", "a", "b"), ("Owner", "—", "Carol <c>")]),
    Event(WHEN, "history", "system", "Record <created>"),
]
USER = User(username="dan<", first_name="Dan", last_name="O'Neil")
EVIDENCE = [
    EvidenceRow(change_models.TestEvidence(test_type="unit", result="passed", summary="one\r\ntwo\rthree\n<i>four</i>",
                             evidence_url="https://ci.example/run?a=1&b='2'", recorded_by=USER,
                             recorded_at=WHEN), True),
    EvidenceRow(change_models.TestEvidence(test_type="staging", result="failed", summary="", evidence_url="",
                             recorded_by=User(username="eve"), recorded_at=datetime(2026, 7, 4, 12, tzinfo=UTC)),
                False),
]


def render(source, **context):
    return engines["django"].from_string("{% load cm_format detail_rows %}" + source).render(context)


def test_the_timeline_tag_renders_what_the_loop_rendered():
    for zone in ("America/New_York", "Asia/Kolkata"):
        with timezone.override(zone):
            for events in (EVENTS, EVENTS[2:4], []):
                assert render("{% timeline_rows timeline %}", timeline=events) == render(TIMELINE_LOOP,
                                                                                           timeline=events)
    html = render("{% timeline_rows timeline %}", timeline=EVENTS)
    assert "&lt;b&gt;al&#x27;ice&lt;/b&gt;" in html and "<odd>" not in html and "Record &lt;created&gt;" in html


def test_the_evidence_tag_renders_what_the_loop_rendered():
    for zone in ("America/New_York", "Asia/Kolkata"):
        with timezone.override(zone):
            for rows in (EVIDENCE, EVIDENCE[1:], []):
                assert (render("{% evidence_rows evidence_rows %}", evidence_rows=rows)
                        == render(EVIDENCE_LOOP, evidence_rows=rows))
    html = render("{% evidence_rows evidence_rows %}", evidence_rows=EVIDENCE)
    assert "one<br>two<br>three<br>&lt;i&gt;four" in html and "a=1&amp;b=&#x27;2&#x27;" in html


def test_the_pipeline_tag_renders_what_the_loop_rendered():
    for state in State:
        for stamps in ({}, {"submitted_at": WHEN, "approved_at": WHEN}, {"deployed_at": WHEN, "verified_at": WHEN}):
            steps = pipeline(change_models.ChangeRequest(state=state, **stamps))
            assert render("{% pipeline_steps pipeline %}", pipeline=steps) == render(PIPELINE_LOOP, pipeline=steps)
    assert render("{% pipeline_steps pipeline %}", pipeline=[]) == ""


def test_the_factors_tag_renders_what_the_loop_rendered():
    levels = ["Single <component>", "Multiple & more", "Critical 'infra'"]
    factors = [("Systems <affected>", score, levels) for score in (None, 0, 1, 2, 3, 4)]
    factors.append(("Users", 2, []))
    assert render("{% factor_rows factors %}", factors=factors) == render(FACTORS_LOOP, factors=factors)
    real = [(label, 2, meanings) for _key, (_field, label, meanings) in FACTORS.items()]
    assert render("{% factor_rows factors %}", factors=real) == render(FACTORS_LOOP, factors=real)


def _reference_history(instance):
    """The timeline's history read before: whole records with their users, diffed with diff_against."""
    records = list(instance.history.select_related("history_user").order_by("history_date", "history_id"))
    events = []
    for previous, record in zip([None, *records[:-1]], records, strict=True):
        actor = record.history_user.username if record.history_user_id else "system"
        if previous is None:
            events.append(Event(record.history_date, "history", actor, "Record created"))
            continue
        rows = [(str(instance._meta.get_field(c.field).verbose_name).capitalize(),
                 _display(instance._meta.get_field(c.field), c.old, {}),
                 _display(instance._meta.get_field(c.field), c.new, {}))
                for c in record.diff_against(previous).changes]
        if rows:
            events.append(Event(record.history_date, "history", actor, "Fields changed", changes=rows))
    return events


def test_the_history_read_diffs_as_diff_against_did(frozen, requester, peer):
    change = services.create_change(actor=requester, data=f.complete_fields(title="first"))
    services.update_change(change_id=change.pk, actor=requester, data=f.complete_fields(title="second <b>"))
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    change = f.reload(change)
    events = _history_events(change)
    assert events == _reference_history(change) and len(events) >= 3
    assert any(row[1:] == ("first", "second <b>") for event in events for row in event.changes)
