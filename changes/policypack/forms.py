"""The policy pack page's forms: a pack to preview or import, and one edit to dry-run."""
import json

from django import forms

from changemgmt.policy_defaults import DEFAULTS


class PackForm(forms.Form):
    file = forms.FileField(required=False, label="Policy pack file (JSON or YAML)")
    text = forms.CharField(required=False, label="…or paste it", widget=forms.Textarea(attrs={"rows": 6}))
    expected_revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text.")
        if not (data.get("text") or "").strip() and not self.errors:
            self.add_error("text", "Upload a policy pack or paste it.")
        return data


class EditForm(forms.Form):
    key = forms.ChoiceField(choices=[(key, key) for key in DEFAULTS], label="Setting")
    value = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="New value (JSON)")

    def clean_value(self):
        try:
            return json.loads(self.cleaned_data["value"])
        except ValueError as problem:
            raise forms.ValidationError(f"Not JSON: {problem}") from problem
