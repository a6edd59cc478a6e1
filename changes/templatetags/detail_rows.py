"""Rows of the change page rendered in Python, one tag per list: the timeline's events, the test
evidence table, the progress bar's steps and the risk scorecard's factors.

The template loops with a filter or two per cell were a large part of the page's rendering (bench/README.md,
issue 13) and grow with the change's history. The markup is byte for byte what the loops rendered
(tests/changes/test_detail_rows.py keeps the loops as the reference); every value goes through
html.escape, which is what autoescaping did to these plain strings."""
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from changemgmt.templatetags.cm_format import EMPTY, person

register = template.Library()

EMPTY_TIMELINE = '\n        <li class="muted">No history yet.</li>\n        '
DIFF_HEAD = ('<thead class="visually-hidden"><tr><th scope="col">Field</th><th scope="col">Before</th>'
             '<th scope="col">After</th></tr></thead>')


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _event(event, zone) -> str:
    moment = timezone.localtime(event.when, zone)
    if event.from_ledger:
        what = (f'<code class="action">{escape(event.title)}</code> '
                f'<span class="muted small">ledger #{event.seq}</span>')
    else:
        what = f'<span class="muted">{"Row history" if event.changes else escape(event.title)}</span>'
    parts = [f'\n        <li class="event event-{escape(event.source)}">\n          <div class="event-head">\n'
             f'            <time datetime="{moment.isoformat()}">{moment.strftime("%-d %b %H:%M")}</time>\n'
             f'            <span class="actor">{escape(event.actor)}</span>\n            {what}\n'
             f'          </div>\n          ']
    if event.changes:
        count = len(event.changes)
        labels = ", ".join(escape(label) for label, _before, _after in event.changes)
        cells = "".join(f'<tr><th scope="row">{escape(label)}</th><td class="before"><span class="visually-hidden">'
                        f'was </span>{escape(before)}</td><td class="after"><span class="visually-hidden">now </span>'
                        f'{escape(after)}</td></tr>' for label, before, after in event.changes)
        parts.append(f'\n          <details class="diff-details">\n            <summary>{count} field{_plural(count)}: '
                     f'{labels}</summary>\n            <table class="diff">\n              {DIFF_HEAD}\n'
                     f'              <tbody>{cells}</tbody>\n            </table>\n          </details>\n          ')
    parts.append("\n          ")
    if event.details:
        pairs = "".join(f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>" for key, value in event.details)
        parts.append(f'\n          <dl class="event-details">{pairs}</dl>\n          ')
    parts.append("\n        </li>\n        ")
    return "".join(parts)


@register.simple_tag
def timeline_rows(events):
    """The `<li>`s of the timeline (changemgmt.web.timeline.build), newest first, or its empty line."""
    if not events:
        return mark_safe(EMPTY_TIMELINE)
    zone = timezone.get_current_timezone()
    return mark_safe("".join(_event(event, zone) for event in events))


def _evidence(row, zone) -> str:
    evidence = row.evidence
    result = ('<span class="badge badge-green">Passed</span>' if row.passed
              else '<span class="badge badge-red">Failed</span>')
    summary = escape(evidence.summary).replace("\r\n", "<br>").replace("\r", "<br>").replace("\n", "<br>")
    if evidence.evidence_url:
        summary += f'<br><a href="{escape(evidence.evidence_url)}" rel="noopener noreferrer">evidence</a>'
    recorded = (timezone.localtime(evidence.recorded_at, zone).strftime("%-d %b %H:%M")
                if evidence.recorded_at else EMPTY)
    return (f"\n          <tr><td>{escape(evidence.get_test_type_display())}</td>\n            <td>{result}</td>\n"
            f"            <td>{summary}</td>\n            <td class=\"nowrap\">{escape(person(evidence.recorded_by))}"
            f'<br><span class="muted small">{recorded}</span></td></tr>\n        ')


@register.simple_tag
def evidence_rows(rows):
    """The `<tr>`s of the test evidence table (changes.presenters.EvidenceRow: the evidence, passed)."""
    zone = timezone.get_current_timezone()
    return mark_safe("".join(_evidence(row, zone) for row in rows))


def _step(step) -> str:
    current = ' aria-current="step"' if step.current else ""
    return (f'\n  <li class="pipeline-{escape(step.status)}"{current}><span class="dot" aria-hidden="true"></span>'
            f'<span class="label">{escape(step.label)}</span><span class="visually-hidden"> ({escape(step.spoken)})'
            '</span></li>\n  ')


@register.simple_tag
def pipeline_steps(steps):
    """The `<li>`s of the progress bar (changes.presenters.PipelineStep)."""
    return mark_safe("".join(_step(step) for step in steps))


def _factor(label: str, score, levels) -> str:
    if score:
        meaning = escape(str(levels[score - 1])) if 0 < score <= len(levels) else ""
    else:
        meaning = '<span class="muted">not scored</span>'
    return (f'\n          <tr><th scope="row">{escape(str(label))}</th><td>{escape(str(score or EMPTY))}</td>'
            f"<td>{meaning}</td></tr>\n        ")


@register.simple_tag
def factor_rows(factors):
    """The `<tr>`s of the risk scorecard: (label, score or None, the meaning of each score from 1)."""
    return mark_safe("".join(_factor(label, score, levels) for label, score, levels in factors))
