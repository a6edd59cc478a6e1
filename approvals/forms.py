"""The on-call roster page's form; approvals.services.save_shift validates the shift again for every door."""
from django import forms
from django.contrib.auth import get_user_model

from approvals.models import OnCallShift
from changemgmt.roles import Role

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class ShiftForm(forms.ModelForm):
    class Meta:
        model = OnCallShift
        fields = ["role", "user", "starts_at", "ends_at"]
        help_texts = {
            "role": "The capacity in which they authorize emergency changes after hours [POLICY §7].",
            "user": "Who is on call: a person holding the manager or security role.",
            "starts_at": "When the shift starts (local time).",
            "ends_at": "When it ends (local time); after the start.",
        }
        widgets = {name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE)
                   for name in ("starts_at", "ends_at")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(
            is_active=True, groups__name__in=[Role.MANAGER, Role.SECURITY]).distinct().order_by("username")

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The shift must end after it starts.")
        return cleaned
