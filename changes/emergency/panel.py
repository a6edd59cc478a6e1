"""What the emergency panel of the change page shows: the verbal authorizations, the 24-hour
paperwork, and the two forms (only to people the services would let act)."""
from django.utils import timezone

from changes.emergency import authorization, rules, selectors
from changes.emergency.forms import AuthorizationForm, RootCauseForm
from changes.emergency.models import EmergencyReview
from changes.emergency.services import confirmation


def panel_context(change, user, *, auth_form=None, rca_form=None, error: str = "", notice: str = "") -> dict:
    """Everything the emergency panel shows; the forms only to people the services would let act."""
    now = timezone.now()
    authorizations = list(change.emergency_authorizations.select_related("authorizer", "recorded_by"))
    review = EmergencyReview.objects.filter(change=change).select_related("root_cause_by").first()
    can_authorize = user is not None and change.state in authorization.AUTHORIZABLE_STATES \
        and rules.may_record(user, change)
    can_record_rca = user is not None and review is not None and review.completed_at is None \
        and rules.may_record_root_cause(user, change)
    return {
        "change": change, "authorizations": authorizations,
        "authorized": authorization.is_complete({a.authorizer_role for a in authorizations}),
        "requirement": authorization.requirement(now),
        "waiting": confirmation.waiting(change),
        "paperwork": selectors.status_row(review, now) if review else None,
        "auth_form": (auth_form or AuthorizationForm(change=change)) if can_authorize else None,
        "rca_form": (rca_form or RootCauseForm(initial={"root_cause": review.root_cause})) if can_record_rca else None,
        "error": error, "notice": notice,
    }
