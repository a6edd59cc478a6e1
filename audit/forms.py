"""The workspace's filters: bad input is a 400 naming the field, never a 500."""
from datetime import timedelta

from django import forms
from django.utils import timezone

DEFAULT_DAYS = 90


class LedgerFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150)
    action = forms.CharField(required=False, max_length=80, help_text="An action or its prefix, e.g. change.")
    subject = forms.CharField(required=False, max_length=120, help_text="e.g. changes.changerequest:12")
    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To")
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "Must not be before From.")
        return data


class PeriodForm(forms.Form):
    """`from` and `to` (dates, both included); by default the last 90 days."""

    def __init__(self, data):
        today = timezone.localdate()
        super().__init__({"from": today - timedelta(days=DEFAULT_DAYS), "to": today} | {
            key: value for key, value in data.items() if key in ("from", "to") and value})

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", "Must not be before from.")
        return data


# "from" is a Python keyword, so the fields are declared after the class.
PeriodForm.base_fields["from"] = forms.DateField()
PeriodForm.base_fields["to"] = forms.DateField()
