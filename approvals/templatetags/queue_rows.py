"""The rows of "My approvals", rendered in Python in one tag (the markup _queue_row.html had).

The queue shows up to 500 rows; a template per row (a form, a CSRF field, a dozen variables and
conditions) was most of the page's time (bench/README.md). The rows come finished from
approvals.queue_pages.queue_item as plain strings; every value goes through html.escape, which is
what django.utils.html.escape does minus its lazy-string wrapper. Most values repeat down a table
(roles, rules, policies, states, badge texts, titles), so each distinct value is escaped once per table
(`changemgmt.web.markup.PerTable`); escaping was most of the rows' markup time."""
from html import escape

from django import template
from django.utils.safestring import mark_safe

from changemgmt.templatetags.cm_format import slot_badge
from changemgmt.web.markup import PerTable, csrf_field

register = template.Library()


def _decision(item: dict, csrf: str, slot_id: str, esc: PerTable) -> str:
    if item["pending"]:
        acting = (f'<p class="small">On behalf of <strong>{esc[item["acting_for"]]}</strong> (delegated)</p>'
                  if item["acting_for"] else "")
        if item["refusals"]:
            return f'{acting}<p class="muted small">You may not decide this: {esc[item["refusals"]]}</p>'
        url = item["decide_url"]  # escaped by RowLinks
        return (f'{acting}\n    <form method="post" action="{url}" hx-post="{url}" hx-target="#slot-{slot_id}" '
                f'hx-swap="outerHTML" class="decide">{csrf}\n'
                f'      <label for="queue-reason-{slot_id}">Reason <span class="muted small">(required to reject)'
                f'</span></label>\n'
                f'      <textarea id="queue-reason-{slot_id}" name="reason" rows="2"></textarea>\n'
                '      <div class="button-row"><button type="submit" name="verdict" value="grant">Grant</button> '
                '<button type="submit" name="verdict" value="reject" class="danger">Reject</button></div>\n'
                '    </form>')
    behalf = f' on behalf of {esc[item["on_behalf_of"]]}' if item["on_behalf_of"] else ""
    reason = f'<br>“{escape(item["reason"])}”' if item["reason"] else ""
    via = f' <span class="small">via {esc[item["via"]]}</span>' if item.get("via") else ""
    return (f'{slot_badge(item["status"])} by <strong>{esc[item["decided_by"]]}</strong>{behalf}{via} '
            f'<span class="muted small">{esc[item["decided_at"]]}</span>{reason}')


def _row(item: dict, csrf: str, badges: dict, esc: PerTable) -> str:
    status = item["status"]
    if item["sla"]:
        clock = (f'<span class="badge badge-{esc[item["sla_colour"]]}">{esc[item["sla"]]}</span><br>'
                 f'<span class="muted small">due {esc[item["due"]]}</span>')
    else:
        if status not in badges:
            badges[status] = slot_badge(status)
        clock = badges[status]
    error = (f'<p class="alert alert-error" role="alert">Not recorded: {escape(item["error"])}</p>'
             if item["error"] else "")
    # The id is digits and the reference "CHG-" and digits (ChangeRequest.reference): nothing to escape.
    slot_id, reference, role = item["id"], item["reference"], esc[item["role"]]
    select = (f'<input type="checkbox" name="slots" value="{slot_id}" form="bulk-grant" '
              f'aria-label="Select {reference} {role}">'
              if item["pending"] and not item["refusals"] else "")
    return (f'<tr id="slot-{slot_id}" class="slot-{esc[status]}">\n'
            f'  <td class="select">{select}</td>\n'
            f'  <td><a href="{item["change_url"]}#approvals">{reference}</a><br>'
            f'{esc[item["title"]]}</td>\n'
            f'  <td><strong>{role}</strong><br><span class="small">{esc[item["rule"]]}</span> '
            f'<span class="policy">{esc[item["policy"]]}</span></td>\n'
            f'  <td>{clock}</td>\n'
            f'  <td>{error}{_decision(item, csrf, slot_id, esc)}</td>\n</tr>')


@register.simple_tag(takes_context=True)
def queue_rows(context, items):
    """`<tr>`s for approvals.queue_pages.queue_item rows, with the page's CSRF field in each form; on a
    page rendered with a `spliced` (changemgmt.web.markup.Spliced), its marker, the rows put there."""
    token = context.get("csrf_token")
    csrf = csrf_field(token)
    badges, esc = {}, PerTable(escape)
    rows = "".join(_row(item, csrf, badges, esc) for item in items)
    spliced = context.get("spliced")
    return mark_safe(spliced.put(rows) if spliced is not None else rows)
