"""Web forms of emergency changes. They only shape the HTML input; every rule (who may authorize,
when, how far back) is checked by changes.emergency.authorization / changes.emergency.services.paperwork."""
from django import forms

from approvals.choices import EmergencyRole
from changemgmt.models import User
from changes.emergency.models import EmergencyAuthorization
from changes.emergency.rules import ROLE_HOLDERS


def eligible_authorizers(change):
    """Active holders of an authorizing role (manager, security, CTO, CISO), never the author or owner
    and nobody who already authorized this change."""
    already = change.emergency_authorizations.values_list("authorizer_id", flat=True)
    return (User.objects.filter(is_active=True, groups__name__in=set(ROLE_HOLDERS.values()))
            .exclude(pk__in=[pk for pk in (change.requester_id, change.owner_id) if pk]).exclude(pk__in=already)
            .distinct().order_by("username"))


class AuthorizerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AuthorizationForm(forms.Form):
    """A verbal go-ahead: who gave it, in which capacity, how and when."""

    authorizer = AuthorizerChoice(queryset=User.objects.none(), label="Authorized by")
    role = forms.ChoiceField(choices=EmergencyRole.choices, label="In the capacity of")
    how = forms.ChoiceField(choices=EmergencyAuthorization.HOW_CHOICES, label="How")
    authorized_at = forms.DateTimeField(required=False, label="When (blank: now)",
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorizer"].queryset = eligible_authorizers(change)


class RootCauseForm(forms.Form):
    root_cause = forms.CharField(label="Root-cause analysis", widget=forms.Textarea(attrs={"rows": 4}))
