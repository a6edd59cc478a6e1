"""What the emergency panel of the change page shows: the verbal authorizations, the 24-hour
paperwork, and the two forms (only to people the services would let act)."""
from django.utils import timezone

from approvals import emergency, emergency_confirmation, emergency_paperwork, emergency_selectors
from approvals.forms import AuthorizationForm, RootCauseForm
from approvals.models import EmergencyReview


def panel_context(change, user, *, auth_form=None, rca_form=None, error: str = "", notice: str = "") -> dict:
    """Everything the emergency panel shows; the forms only to people the services would let act."""
    now = timezone.now()
    authorizations = list(change.emergency_authorizations.select_related("authorizer", "recorded_by"))
    review = EmergencyReview.objects.filter(change=change).select_related("root_cause_by").first()
    can_authorize = user is not None and change.state in emergency.AUTHORIZABLE_STATES \
        and emergency.may_record(user, change)
    can_record_rca = user is not None and review is not None and review.completed_at is None \
        and emergency_paperwork.may_record_root_cause(user, change)
    return {
        "change": change, "authorizations": authorizations,
        "authorized": emergency.is_complete({a.authorizer_role for a in authorizations}),
        "requirement": emergency.requirement(now),
        "waiting": emergency_confirmation.waiting(change),
        "paperwork": emergency_selectors.status_row(review, now) if review else None,
        "auth_form": (auth_form or AuthorizationForm(change=change)) if can_authorize else None,
        "rca_form": (rca_form or RootCauseForm(initial={"root_cause": review.root_cause})) if can_record_rca else None,
        "error": error, "notice": notice,
    }
