"""The rows of "My approvals" in one tag (the markup _queue_row.html had): a template per row (a form, a
CSRF field, a dozen variables and conditions) was most of the page's time (bench/README.md). The rows
come as markup from approvals.queue_table.QueueTable; the tag adds the page's CSRF field to each form."""
from django import template
from django.utils.safestring import mark_safe

from changemgmt.web.markup import csrf_field

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_rows(context, table):
    """`<tr>`s of a finished approvals.queue_table.QueueTable, with the page's CSRF field in each form; on
    a page rendered with a `spliced` (changemgmt.web.markup.Spliced), its marker, the rows put there."""
    rows = table.markup(csrf_field(context.get("csrf_token")))
    spliced = context.get("spliced")
    return mark_safe(spliced.put(rows) if spliced is not None else rows)
