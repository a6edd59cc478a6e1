"""The approvals section of the change page: one table of the change's slots, each with the rule that
required it, its SLA clock, its decision (or the decide form, for someone who may decide it) and its
history. The rows come finished from the change page's presenter (changes.presenters.slot_rows, which
reads approvals.presenters.slot_clocks): this tag only renders them.

The table's rows are written in Python (`approval_rows`), as the queue's are (queue_rows): a dozen
variables, filters and a form per row in the template were most of the panel's time. The markup is
the one the template had, byte for byte; every value goes through html.escape."""
from html import escape

from django import template
from django.utils.safestring import mark_safe

from changemgmt.templatetags.cm_format import iso, local, person, slot_badge
from changemgmt.web.markup import csrf_field, url_by_pk

register = template.Library()



@register.inclusion_tag("approvals/_change_panels.html", takes_context=True)
def approval_panels(context, change, rows, *, is_standard=False, open=False):
    return {"change": change, "rows": rows, "is_standard": is_standard, "open": open,
            "csrf_token": context.get("csrf_token"), "request": context.get("request")}


def _decision(row, slot, role: str, form) -> str:
    if slot.decided_by is not None:
        behalf = (f' <span class="small">on behalf of {escape(person(slot.on_behalf_of))}</span>'
                  if slot.on_behalf_of is not None else "")
        reason = f"<br>“{escape(slot.reason)}”" if slot.reason else ""
        said = (f'<strong>{escape(person(slot.decided_by))}</strong>{behalf} '
                f'<span class="muted small">{escape(local(slot.decided_at, "short"))}</span>{reason}\n          ')
    elif row.pending and not row.may:
        said = f'<span class="muted small">any {escape(role.lower())} holder</span>'
    else:
        said = ""
    return f"<td>\n          {said}\n          {form(slot.pk) if row.may else ''}\n        </td>"


def _row(row, form) -> str:
    slot = row.slot
    role = str(slot.get_role_display())
    ordinal = f" #{slot.ordinal}" if slot.ordinal > 1 else ""
    clock = (f'<span class="badge badge-{escape(str(row.badge[1]))}">{escape(str(row.badge[0]))}</span>'
             if row.badge[0] else slot_badge(slot.status))
    if slot.due_at and row.pending:
        clock += f'<br><span class="muted small">due {escape(local(slot.due_at, "short"))}</span>'
    history = ('<ul class="small plain">' + "".join(
        f'<li><time datetime="{escape(iso(when))}">{escape(local(when, "short"))}</time> {escape(str(text))}</li>'
        for when, text in row.history) + "</ul>") if row.history else '<span class="muted small">—</span>'
    return (f'\n      <tr class="slot-{escape(slot.status)}" id="slot-row-{slot.pk}">\n'
            f'        <th scope="row">{escape(role)}{ordinal}</th>\n'
            f'        <td>{escape(slot.rule)}<br><span class="policy">{escape(slot.policy)}</span></td>\n'
            f'        <td>{clock}</td>\n'
            f'        {_decision(row, slot, role, form)}\n'
            f'        <td>{history}</td>\n      </tr>\n    ')


@register.simple_tag(takes_context=True)
def approval_rows(context, rows):
    """The `<tr>`s of the approvals table, with the page's CSRF field in each decide form."""
    token = context.get("csrf_token")
    csrf = csrf_field(token)
    decide_url = url_by_pk("approvals:decide")

    def form(pk) -> str:
        return (f'\n          <form method="post" action="{decide_url(pk)}" class="decide">\n'
                f'            {csrf}\n'
                f'            <label for="reason-{pk}">Reason <span class="muted small">(required to reject)</span>'
                '</label>\n'
                f'            <textarea id="reason-{pk}" name="reason" rows="2"></textarea>\n'
                '            <div class="button-row">\n'
                '              <button type="submit" name="verdict" value="grant">Grant</button>\n'
                '              <button type="submit" name="verdict" value="reject" class="danger">Reject</button>\n'
                '            </div>\n'
                '          </form>\n          ')

    return mark_safe("".join(_row(row, form) for row in rows))
