"""The legal hold as the audit page and the admin action post it."""
from django import forms


class LegalHoldForm(forms.Form):
    hold = forms.TypedChoiceField(choices=[("place", "Place a legal hold"), ("release", "Release the legal hold")],
                                  coerce=lambda value: value == "place")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
