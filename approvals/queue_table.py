"""The rows of "My approvals" as markup, made from the queue's slots in two passes around the query that
reads their changes' live slots.

Which buttons a row offers depends on separation of duties (approvals.rules), which reads each change's
live slots; everything else in a row does not. `begin` (selectors.slots_of's `meanwhile`) writes all
of every row but its checkbox and decision while the database reads the live slots (~3 ms at a million
changes, bench/README.md); `finish` works out the refusals once they are in; the row tag (queue_rows)
joins the parts with the page's CSRF field. The markup is what the row template had, byte for byte; every
value goes through html.escape (django.utils.html.escape minus its lazy-string wrapper), each distinct
value once per table: roles, rules, policies, badges and names repeat down the table.
"""
from html import escape

from django.utils import timezone

from approvals import badges, selectors
from approvals.choices import SlotStatus
from changemgmt.templatetags.cm_format import slot_badge
from changemgmt.web.markup import PerTable, url_by_pk

PENDING = SlotStatus.PENDING.value  # a plain string: compared once per row


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "—"


class QueueRow:
    """One row's parts: the slot, the markup before its checkbox cell's content and after it up to its
    decision; a decided slot's decision (`tail`), or a pending one's checkbox (shown unless refused),
    delegation note, decide form's URL and (once `finish`ed) escaped refusals."""

    __slots__ = ("slot", "head", "cells", "tail", "select", "acting", "decide_url", "refusals")

    def __init__(self, slot, head: str, cells: str, *, tail: str = "", select: str = "", acting: str = "",
                 decide_url: str = ""):
        self.slot, self.head, self.cells, self.tail = slot, head, cells, tail
        self.select, self.acting, self.decide_url, self.refusals = select, acting, decide_url, ""


class QueueTable:
    """My approvals' rows for `user` (acting for `delegators` where their roles fit), as of now. `error`:
    a refusal to show in every row (the one row of an htmx decision that was not recorded)."""

    def __init__(self, user, delegators, *, error: str = ""):
        self.deciding = selectors.Deciding(user, delegators)
        self.rclock = badges.RequestClock(timezone.now())
        self.change_url, self.decide_url = url_by_pk("changes:detail"), url_by_pk("approvals:queue-decide")
        self.error = f'<p class="alert alert-error" role="alert">Not recorded: {escape(error)}</p>' if error else ""
        self.esc, self.badges = PerTable(escape), PerTable(slot_badge)
        self.rows: list[QueueRow] = []

    def begin(self, slots) -> None:
        """Every row of `slots` but what separation of duties decides (their live slots may not be in)."""
        self.rows = [self._row(slot) for slot in slots]

    def finish(self) -> "QueueTable":
        """Each pending row's refusals, from its change's live slots."""
        of = self.deciding.of
        for row in self.rows:
            if row.decide_url:
                slot = row.slot
                row.refusals = self.esc[" ".join(of(slot)[1].refusals(slot, slot.change.live_slots))]
        return self

    @property
    def can_bulk(self) -> bool:
        """Whether any row may be granted (the bulk form is shown)."""
        return any(row.decide_url and not row.refusals for row in self.rows)

    def markup(self, csrf: str) -> str:
        """The `<tr>`s, with `csrf` (the page's CSRF field) in each decide form."""
        return "".join(self._markup(row, csrf) for row in self.rows)

    def _row(self, slot) -> QueueRow:
        esc, change = self.esc, slot.change
        # The id is digits and the reference "CHG-" and digits (ChangeRequest.reference): nothing to escape.
        slot_id, status, reference = slot.pk, slot.status, change.reference
        role = esc[slot.get_role_display() + (f" #{slot.ordinal}" if slot.ordinal > 1 else "")]
        head = f'<tr id="slot-{slot_id}" class="slot-{esc[status]}">\n  <td class="select">'
        cells = (f'</td>\n  <td><a href="{self.change_url(change.pk)}#approvals">{reference}</a><br>'
                 f'{esc[change.title]}</td>\n'
                 f'  <td><strong>{role}</strong><br><span class="small">{esc[slot.rule]}</span> '
                 f'<span class="policy">{esc[slot.policy]}</span></td>\n'
                 f'  <td>{self._clock(slot)}</td>\n  <td>{self.error}')
        if status != PENDING:
            return QueueRow(slot, head, cells, tail=self._decided(slot))
        acting_for = self.deciding.of(slot)[0]
        acting = (f'<p class="small">On behalf of <strong>{esc[_person(acting_for)]}</strong> (delegated)</p>'
                  if acting_for else "")
        select = (f'<input type="checkbox" name="slots" value="{slot_id}" form="bulk-grant" '
                  f'aria-label="Select {reference} {role}">')
        return QueueRow(slot, head, cells, select=select, acting=acting, decide_url=self.decide_url(slot_id))

    def _clock(self, slot) -> str:
        text, colour = badges.sla_badge(slot, self.rclock)
        if not text:
            return self.badges[slot.status]
        esc = self.esc
        return (f'<span class="badge badge-{esc[colour]}">{esc[text]}</span><br>'
                f'<span class="muted small">due {esc[self.rclock.stamp(slot.due_at)]}</span>')

    def _decided(self, slot) -> str:
        esc, stamp = self.esc, self.rclock.stamp(slot.decided_at) if slot.decided_at else ""
        decider = _person(slot.decided_by) if slot.decided_by_id else ""
        behalf = f' on behalf of {esc[_person(slot.on_behalf_of)]}' if slot.on_behalf_of_id else ""
        reason = f'<br>“{escape(slot.reason)}”' if slot.reason else ""
        via = f' <span class="small">via {esc[slot.get_channel_display()]}</span>' if slot.channel else ""
        return (f'{self.badges[slot.status]} by <strong>{esc[decider]}</strong>{behalf}{via} '
                f'<span class="muted small">{esc[stamp]}</span>{reason}')

    @staticmethod
    def _markup(row: QueueRow, csrf: str) -> str:
        if not row.decide_url:
            return f"{row.head}{row.cells}{row.tail}</td>\n</tr>"
        if row.refusals:
            return (f'{row.head}{row.cells}{row.acting}<p class="muted small">You may not decide this: '
                    f'{row.refusals}</p></td>\n</tr>')
        slot_id, url = row.slot.pk, row.decide_url
        return (f'{row.head}{row.select}{row.cells}{row.acting}\n'
                f'    <form method="post" action="{url}" hx-post="{url}" hx-target="#slot-{slot_id}" '
                f'hx-swap="outerHTML" class="decide">{csrf}\n'
                f'      <label for="queue-reason-{slot_id}">Reason <span class="muted small">(required to reject)'
                f'</span></label>\n'
                f'      <textarea id="queue-reason-{slot_id}" name="reason" rows="2"></textarea>\n'
                '      <div class="button-row"><button type="submit" name="verdict" value="grant">Grant</button> '
                '<button type="submit" name="verdict" value="reject" class="danger">Reject</button></div>\n'
                '    </form></td>\n</tr>')
