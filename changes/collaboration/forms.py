"""Input of the collaboration panel, validated by the services whether it came from a page or the API."""
from django import forms

MAX_COMMENT = 10_000  # characters: a comment is a message, not a document (attach documents)


class CommentForm(forms.Form):
    body = forms.CharField(max_length=MAX_COMMENT, strip=True, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Markdown is shown as typed. Name someone with @username to notify them.")
    work_note = forms.BooleanField(required=False, label="Work note (internal: not shown to requesters)")


class AttachmentForm(forms.Form):
    file = forms.FileField(allow_empty_file=False, max_length=255,
                           help_text="The allowed types and the size limit come from the attachments policy.")
