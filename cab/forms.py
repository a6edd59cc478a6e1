"""The board page's appoint form; cab.services.board.appoint checks who may appoint to which seat."""
from django import forms
from django.contrib.auth import get_user_model

from cab.choices import Seat


class AppointForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username"),
        help_text="The person taking the seat; they vote and count for quorum from now on.",
        error_messages={"required": "Choose who takes the seat.", "invalid_choice": "Choose an active user."})
    seat = forms.ChoiceField(choices=Seat.choices, help_text=(
        "The board role [POLICY §5]. Each seat has one principal; only an administrator appoints the chair."),
        error_messages={"invalid_choice": f"One of {', '.join(Seat.values)}."})
    deputy = forms.BooleanField(required=False, help_text=(
        "A deputy stands in for the seat's principal when the principal is absent; a seat may have many."))
