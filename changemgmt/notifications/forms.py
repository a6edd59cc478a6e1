"""The e-mail preferences form: which kinds of notification a person wants by e-mail."""
from django import forms

from changemgmt.models import NotificationKind


class EmailPreferencesForm(forms.Form):
    """Ticked kinds are e-mailed; an unknown kind is dropped by the choices check, never stored."""

    email = forms.MultipleChoiceField(choices=NotificationKind.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
