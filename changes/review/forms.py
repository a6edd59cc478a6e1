"""The answer to a review follow-up, as the page posts it."""
from django import forms


class AnswerForm(forms.Form):
    issues_found = forms.TypedChoiceField(
        label="Did the change cause any issue since it was deployed?",
        choices=[("no", "No issues"), ("yes", "Yes, issues")], coerce=lambda value: value == "yes")
    notes = forms.CharField(label="Notes (what happened)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
