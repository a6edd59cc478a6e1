"""Input validation for the calendar's writes (windows, freezes), shared by the admin, the pages and
the API so all get the same field-named refusals."""
from django import forms

from changemgmt.api.input import MAX_ID
from changes.calendar.models import DeploymentWindow, Freeze
from changes.choices import RiskLevel
from changes.models import Service

MAX_TEXT = 20_000


class WindowForm(forms.ModelForm):
    weekday = forms.TypedChoiceField(coerce=int, choices=[(i, name) for i, name in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])])
    risks = forms.MultipleChoiceField(choices=RiskLevel.choices, widget=forms.CheckboxSelectMultiple,
                                      help_text="Risk levels allowed in this window")

    class Meta:
        model = DeploymentWindow
        fields = ["weekday", "starts", "ends", "risks"]
        widgets = {"starts": forms.TimeInput(attrs={"type": "time"}), "ends": forms.TimeInput(attrs={"type": "time"})}

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The window must end after it starts (windows do not span midnight).")
        risks = cleaned.get("risks")
        if starts and ends and risks and "weekday" in cleaned:
            clashes = DeploymentWindow.objects.filter(weekday=cleaned["weekday"], starts__lt=ends, ends__gt=starts)
            if self.instance.pk:
                clashes = clashes.exclude(pk=self.instance.pk)
            for other in clashes:
                shared = sorted(set(other.risks) & set(risks))
                if shared:
                    self.add_error(None, f"Overlaps the window {other} for {', '.join(shared)} risk; change or "
                                         "delete that window first.")
        return cleaned


class FreezeForm(forms.ModelForm):
    reason = forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "A freeze needs a reason."})
    services = forms.ModelMultipleChoiceField(queryset=Service.objects.all(), required=False,
                                              help_text="Leave empty to freeze every service")

    class Meta:
        model = Freeze
        fields = ["name", "reason", "kind", "starts_at", "ends_at", "services"]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("A freeze needs a reason.")
        return reason

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The freeze must end after it starts.")
        return cleaned


class LiftFreezeForm(forms.Form):
    """Why an announced freeze is lifted: required, like the reason it was announced for."""

    reason = forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Lifting a freeze needs a reason."})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Lifting a freeze needs a reason.")
        return reason


def _id_field() -> forms.IntegerField:
    message = "Give an id."
    return forms.IntegerField(required=False, min_value=0, max_value=MAX_ID,
                              error_messages={"invalid": message, "min_value": message, "max_value": message})


class CalendarFilterForm(forms.Form):
    """The calendar's filters, parsed the same way for the page (`/calendar/`, which drops a bad value
    and shows everything) and the API (`/api/calendar/events/`, which answers 400 naming the field)."""

    service = _id_field()
    team = _id_field()
    risk = forms.ChoiceField(required=False, choices=RiskLevel.choices,
                             error_messages={"invalid_choice": f"One of {', '.join(RiskLevel.values)}."})

    def filters(self) -> dict:
        """The valid filters as ids and a risk code (None or "" when absent or invalid)."""
        self.is_valid()
        return {"service": self.cleaned_data.get("service"), "team": self.cleaned_data.get("team"),
                "risk": self.cleaned_data.get("risk") or ""}
