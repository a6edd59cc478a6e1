"""The meeting page's agenda items and the live tally, rendered in Python (the markup meeting.html's
item loop and _tally.html had, byte for byte).

A meeting page with 40 items spent most of its time in the template engine: an article per item, an
include per decision item, a form with a CSRF field, and a few dozen variable lookups, escapes and
conditions each, plus a link per change closed in the week (bench/README.md). The rows come finished
from cab.presenters.item_rows; here every value goes through html.escape (django.utils.html.escape
minus its lazy-string wrapper) and a value renders as the template rendered it: a missing key as "",
None as "None"."""
from html import escape

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from cab.choices import Outcome, VoteChoice
from cab.templatetags.cab_format import outcome_badge, snap_time, vote_badge
from changemgmt.web.markup import csrf_field

register = template.Library()

DASH = "—"
VOTE_CHOICES = [(str(value), str(label)) for value, label in VoteChoice.choices]
OUTCOME_OPTIONS = "".join(f'<option value="{escape(str(value))}">{escape(str(label))}</option>'
                          for value, label in Outcome.choices)


def _text(value) -> str:
    """A value as `{{ value }}` shows it (autoescaped)."""
    if isinstance(value, str):
        return escape(value)
    return conditional_escape(value)


def _join(values) -> str:
    """`{{ values|join:", " }}`."""
    return ", ".join(_text(value) for value in values)


def tally_html(item_pk, tally, votes, decision, tally_url) -> str:
    """The live tally of one decision item: its counts, each vote, and the decision once recorded
    (polled every 2 s until then). The page and the polled fragment both render it."""
    poll = "" if decision else f'hx-get="{_text(tally_url)}" hx-trigger="every 2s" hx-swap="outerHTML"'
    not_counted = f"· {_text(tally.not_counted)} not counted (absent)" if tally.not_counted else ""
    lines = []
    for vote in votes:
        voter = escape(vote.voter.username)
        comment = f" — {_text(vote.comment)}" if vote.comment else ""
        changed = " <small>(changed)</small>" if vote.changed_at else ""
        lines.append(f'<li data-voter="{voter}">{voter}: {conditional_escape(vote_badge(vote.choice))}'
                     f'{comment}{changed}</li>')
    decided = ""
    if decision:
        reason = f" — {_text(decision.reason)}" if decision.reason else ""
        conditions = (f"<br><strong>Conditions:</strong> {_text(decision.conditions)}"
                      if decision.conditions else "")
        badge = conditional_escape(outcome_badge(decision.outcome))
        decided = (f'<p class="decision"><strong>Decision:</strong> {badge} by '
                   f'{escape(decision.decided_by.username)}{reason}{conditions}</p>')
    pk = _text(item_pk)
    return (f'<div class="cab-tally" id="tally-{pk}" data-item="{pk}"\n'
            f'  {poll}>\n'
            f'  <p><strong>Tally:</strong> <span class="approve-count">{_text(tally.approve)}</span> approve ·\n'
            f'     <span class="reject-count">{_text(tally.reject)}</span> reject · '
            f'<span class="abstain-count">{_text(tally.abstain)}</span> abstain\n'
            f'     {not_counted}</p>\n'
            f'  <ul class="votes">\n'
            f'    {"".join(lines) or "<li>No votes yet.</li>"}\n'
            f'  </ul>\n'
            f'  {decided}\n'
            f'</div>')


@register.simple_tag
def tally_block(item, tally, votes, decision, tally_url):
    """The tally fragment the page polls (cab/_tally.html)."""
    return mark_safe(tally_html(item.pk, tally, votes, decision, tally_url))  # noqa: S308 - every value escaped


def _change_lines(snap) -> str:
    """What a change item's snapshot shows: risk and schedule, a deferral, conflicts, tests, approvals."""
    services = f" · {_join(snap['services'])}" if snap.get("services") else ""
    owner = f" · owner {_text(snap['owner'])}" if snap.get("owner") else ""
    deferred = ""
    if snap.get("deferred_from"):
        source = snap["deferred_from"]
        deferred = f"<p>Deferred from {_text(source.get('meeting', ''))}: {_text(source.get('reason', ''))}</p>"
    conflicts = ""
    if snap.get("conflicts"):
        conflicts = "<p>Conflicts: " + ", ".join(
            f'<a href="{_text(c.get("url", ""))}">{_text(c.get("ref", ""))}</a> ({_text(c.get("service", ""))})'
            for c in snap["conflicts"]) + "</p>"
    tests = ""
    if snap.get("tests"):
        tests = "<p>Tests: " + ", ".join(f"{_text(t.get('type', ''))} {_text(t.get('result', ''))}"
                                          for t in snap["tests"]) + "</p>"
    approvals = ""
    if snap.get("approvals"):
        approvals = "<p>Approvals: " + ", ".join(
            f"{_text(a.get('role', ''))}#{_text(a.get('ordinal', ''))} {_text(a.get('status', ''))}"
            + (f" ({_text(a['by'])})" if a.get("by") else "") for a in snap["approvals"]) + "</p>"
    return (f"\n  <p>Risk: {_text(snap.get('risk') or DASH)} · {_text(snap.get('type', ''))} · "
            f"{_text(snap.get('state', ''))} · planned {_text(snap_time(snap.get('planned_start', '')))} – "
            f"{_text(snap_time(snap.get('planned_end', '')))}{services}{owner}</p>\n"
            f"  {deferred}\n  {conflicts}\n  {tests}\n  {approvals}\n  ")


def _results(results) -> str:
    """Section 1's summary: a link per change closed since the last meeting."""
    def links(entries):
        return "".join(f'<a href="{_text(c["url"])}">{_text(c["reference"])}</a> ' for c in entries) or "none"

    return (f"<p>Successful: {links(results['successful'])}</p>\n"
            f"    <p>Failed or rolled back: {links(results['failed'])}</p>")


def _calendar(calendar) -> str:
    """Section 4's summary: the calendar's conflicts and changes, folded."""
    conflicts = "".join(
        f'<li>Conflict on {_text(c.get("service", ""))}: <a href="{_text(c["a_url"])}">{_text(c["a_ref"])}</a> '
        f'and <a href="{_text(c["b_url"])}">{_text(c["b_ref"])}</a></li>' for c in calendar["conflicts"])
    changes = "".join(
        f'<li><a href="{_text(c["url"])}">{_text(c["reference"])}</a> {_text(c.get("title", ""))} · '
        f'{_text(snap_time(c.get("planned_start", "")))} · {_text(c.get("risk", ""))}</li>'
        for c in calendar["changes"])
    return (f"<details><summary>{_text(calendar['change_count'])} changes, {len(calendar['conflicts'])} "
            f"conflicts</summary>\n    <ul>{conflicts}\n    {changes}</ul></details>")


def _freeze(snap) -> str:
    caught = _join(snap.get("changes_caught") or []) or "no scheduled change"
    return (f"<p>{_text(snap_time(snap['starts_at']))} – {_text(snap_time(snap.get('ends_at', '')))} · "
            f"{_join(snap.get('services') or [])} · catches {caught}</p>")


def _action(snap) -> str:
    return f"<p>Owner {_text(snap.get('owner') or DASH)} · due {_text(snap.get('due_on') or DASH)}</p>"


class _Page:
    """What every item of one page shares: the user's rights, the meeting's state, the CSRF field."""

    def __init__(self, context):
        self.csrf = csrf_field(context.get("csrf_token"))
        self.can_edit = bool(context.get("can_edit_agenda"))
        self.open = bool(context.get("open"))
        self.is_member = bool(context.get("is_member"))
        self.deciding = bool(context.get("can_chair")) and bool(context.get("in_progress"))


def _edit_buttons(row, page: _Page) -> str:
    if not page.can_edit:
        return ""
    links, csrf = row.links, page.csrf
    return (f'\n      <form method="post" action="{_text(links["up"])}" class="inline">{csrf}'
            '<button class="small outline" aria-label="Move up">↑</button></form>\n'
            f'      <form method="post" action="{_text(links["down"])}" class="inline">{csrf}'
            '<button class="small outline" aria-label="Move down">↓</button></form>\n'
            f'      <form method="post" action="{_text(links["remove"])}" class="inline">{csrf}'
            '<button class="small secondary outline">Remove</button></form>\n    ')


def _vote_form(row, pk: str, page: _Page) -> str:
    my_vote = row.my_vote
    choices = "".join(
        f'<label><input type="radio" name="choice" value="{escape(value)}" '
        f'{"checked" if my_vote is not None and my_vote.choice == value else ""} required> {escape(label)}</label>'
        for value, label in VOTE_CHOICES)
    comment = _text(my_vote.comment or "") if my_vote is not None else ""
    return (f'\n      <form method="post" action="{_text(row.links["vote"])}" class="vote-form">{page.csrf}\n'
            f'        <input type="hidden" name="mode" value="{"change" if my_vote else "cast"}">\n'
            '        <fieldset>\n'
            '          <legend>Your vote <span class="req" aria-hidden="true">*</span></legend>\n'
            f'          <div class="choices-inline">{choices}</div>\n'
            f'          <label for="comment-{pk}">Comment <span class="muted small">(optional)</span></label>\n'
            f'          <input type="text" id="comment-{pk}" name="comment" value="{comment}">\n'
            f'          <button type="submit" class="small">{"Change my vote" if my_vote else "Vote"}</button>\n'
            '        </fieldset>\n'
            '      </form>\n      ')


def _decide_form(row, pk: str, page: _Page) -> str:
    return (f'\n      <form method="post" action="{_text(row.links["decide"])}" class="decide-form">{page.csrf}\n'
            '        <fieldset>\n'
            "          <legend>Chair's decision</legend>\n"
            '          <div class="grid-2">\n'
            '            <div class="field">\n'
            f'              <label for="outcome-{pk}">Decision <span class="req" aria-hidden="true">*</span>'
            '<span class="visually-hidden"> (required)</span></label>\n'
            f'              <select id="outcome-{pk}" name="outcome" required>\n'
            '                <option value="" selected disabled>Choose a decision…</option>\n'
            f'                {OUTCOME_OPTIONS}\n'
            '              </select>\n'
            '            </div>\n'
            '            <div class="field">\n'
            f'              <label for="reason-{pk}">Reason <span class="muted small">(required to reject or defer)'
            '</span></label>\n'
            f'              <textarea id="reason-{pk}" name="reason" rows="2"></textarea>\n'
            '            </div>\n'
            '          </div>\n'
            f'          <label for="conditions-{pk}">Conditions of approval <span class="muted small">'
            '(optional, approval only)</span></label>\n'
            f'          <textarea id="conditions-{pk}" name="conditions" rows="2"></textarea>\n'
            '          <button type="submit" class="small">Record decision</button>\n'
            '        </fieldset>\n'
            '      </form>\n      ')


def _controls(row, pk: str, page: _Page) -> str:
    """A decision item's tally, the user's vote form (or why they may not vote) and the chair's form."""
    item = row.item
    tally = tally_html(item.pk, row.tally, item.votes.all(), row.decision, row.links["tally"])
    actions = ""
    if page.open and not row.decided:
        if page.is_member and not row.vote_refusal:
            vote = _vote_form(row, pk, page)
        elif row.vote_refusal and page.is_member:
            vote = f"<p><small>{_text(row.vote_refusal)}</small></p>"
        else:
            vote = ""
        decide = _decide_form(row, pk, page) if page.deciding else ""
        actions = f"\n      {vote}\n      {decide}\n    "
    return (f'\n  <div class="item-controls" role="group" aria-labelledby="item-{pk}-title">\n'
            f"    {tally}\n\n"  # the include of _tally.html ended in its file's newline
            f"    {actions}\n"
            "  </div>\n  ")


def _article(row, page: _Page, heading: str) -> str:
    item, snap = row.item, row.snap
    pk = _text(item.pk)
    pending = " needs-decision" if item.needs_decision and not row.decided else ""
    change = f' · <a href="{_text(row.change_url)}">open the change</a>' if row.change_url else ""
    note = f"<p>{_text(item.note)}</p>" if item.note else ""
    return (f"\n{heading}\n"
            f'<article id="item-{pk}" class="cab-item{pending}">\n'
            "  <header>\n"
            f'    <h4 id="item-{pk}-title">{_text(item.title)}</h4>\n'
            f"    {change}\n"
            f"    {_edit_buttons(row, page)}\n"
            "  </header>\n"
            f"  {note}\n"
            f"  {_change_lines(snap) if snap.get('reference') else ''}\n"
            f"  {_results(row.results) if row.results else ''}\n"
            f"  {_calendar(row.calendar) if row.calendar else ''}\n"
            f"  {_freeze(snap) if snap.get('kind') and snap.get('starts_at') else ''}\n"
            f"  {_action(snap) if snap.get('action_id') else ''}\n"
            "\n"
            f"  {_controls(row, pk, page) if item.needs_decision else ''}\n"
            "</article>\n")


@register.simple_tag(takes_context=True)
def agenda_rows(context, rows):
    """An `<article>` per agenda item (cab.presenters.ItemRow), a section heading where the section
    changes, with the page's CSRF field in each form."""
    page = _Page(context)
    parts, section = [], object()
    for row in rows:
        item = row.item
        heading = ""
        if item.section != section:
            section = item.section
            heading = f'<h3 class="agenda-section">{_text(item.get_section_display())}</h3>'
        parts.append(_article(row, page, heading))
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above
