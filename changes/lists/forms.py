"""Input of the list's own writes: saving a filter, and a bulk action over selected changes."""
from django import forms

from changes.forms import DateTimeLocalInput

BULK_ACTIONS = [("reschedule", "Reschedule"), ("cancel", "Cancel")]


class SavedFilterForm(forms.Form):
    name = forms.CharField(max_length=80, strip=True)
    query = forms.CharField(max_length=2000, required=False, strip=True)


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=BULK_ACTIONS)
    changes = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={
        "required": "Select at least one change."})
    reason = forms.CharField(max_length=2000, strip=True, help_text="Recorded on every selected change.")
    planned_start = forms.DateTimeField(required=False, widget=DateTimeLocalInput)
    planned_end = forms.DateTimeField(required=False, widget=DateTimeLocalInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("changes") if hasattr(self.data, "getlist") else self.data.get("changes", [])
        self.fields["changes"].choices = [(value, value) for value in raw if str(value).isdigit()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reschedule":
            for name in ("planned_start", "planned_end"):
                if not cleaned.get(name):
                    self.add_error(name, "Required to reschedule.")
        return cleaned
