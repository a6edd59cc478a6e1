"""Pages of emergency changes: what the change page's emergency panel posts to (a verbal
authorization, the root-cause analysis), the authorizer's confirmation link, and the list of open
paperwork. Each parses its input, calls one service and answers like the API: a field problem 400, a
refusal 403, a change not waiting for this 409 — for htmx as the panel fragment with the errors,
otherwise as a message on the change page. Rules stay in the services."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from changemgmt import policy
from changemgmt.errors import Conflict
from changemgmt.web.access import member_required
from changemgmt.web.htmx import is_htmx, redirect_page, render_page
from changes.emergency import selectors, services
from changes.emergency.forms import AuthorizationForm, RootCauseForm
from changes.emergency.models import AuthorizationRequest
from changes.emergency.panel import panel_context
from changes.emergency.services import confirmation, paperwork
from changes.models import ChangeRequest

LIST_LIMIT = 500


def _answer(request, change, *, status: int, notice: str = "", error: str = "", auth_form=None, rca_form=None):
    if is_htmx(request):
        context = panel_context(change, request.user, auth_form=auth_form if status != 200 else None,
                                rca_form=rca_form if status != 200 else None, error=error, notice=notice)
        # htmx swaps 2xx, 400 and 409 (base.html); a 403 refusal is shown in the panel with 200.
        return render(request, "emergency/_panel.html", context,
                      status=status if status in (200, 400, 409) else 200)
    if status == 200:
        messages.success(request, notice)
    else:
        form = auth_form or rca_form
        problems = [error] if error else []
        problems += [f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errs)}".lstrip(": ")
                     for name, errs in (form.errors.items() if form is not None else [])]
        messages.error(request, "Not recorded: " + " ".join(problems))
    return redirect_page(request, reverse("changes:detail", args=[change.pk]) + "#emergency")


def _run(request, change, form, call, success: str, form_key: str):
    """Validate `form`, call the service, and answer with the refusal's status."""
    status, error = 200, ""
    if not form.is_valid():
        status = 400
    else:
        try:
            success = call(form.cleaned_data) or success
        except ValidationError as refusal:
            form.add_error(None, refusal)
            status = 400
        except PermissionDenied as refusal:
            status, error = 403, str(refusal)
        except Conflict as refusal:
            status, error = 409, refusal.message
    return _answer(request, change, status=status, error=error, notice=success if status == 200 else "",
                   **{form_key: form})


@member_required
@require_POST
def record_authorization(request, change_id: int):
    change = get_object_or_404(ChangeRequest, pk=change_id)
    form = AuthorizationForm(request.POST, change=change)

    def call(data):
        result = services.record_verbal_authorization(
            change_id=change.pk, actor=request.user, authorizer_id=data["authorizer"].pk, role=data["role"],
            how=data["how"], authorized_at=data["authorized_at"], notes=data["notes"])
        if isinstance(result, AuthorizationRequest):
            who = result.authorizer.get_full_name() or result.authorizer.username
            return (f"Sent to {who} to confirm: the authorization counts once they follow the link they "
                    "were sent.")
        return "Verbal authorization recorded."

    return _run(request, change, form, call, "Verbal authorization recorded.", "auth_form")


@member_required
@require_POST
def record_root_cause(request, change_id: int):
    change = get_object_or_404(ChangeRequest, pk=change_id)
    form = RootCauseForm(request.POST)

    def call(data):
        paperwork.record_root_cause(change_id=change.pk, actor=request.user, text=data["root_cause"])

    return _run(request, change, form, call, "Root-cause analysis recorded.", "rca_form")


@member_required
def confirm_authorization(request, token: str):
    """The link an authorizer follows: GET shows what they are asked to confirm, POST confirms it. Only the
    person named as authorizer; the authorization is written on POST only (a link preview writes nothing)."""
    status, error = 200, ""
    try:
        pending = confirmation.pending(token, request.user)
    except PermissionDenied as refusal:
        return render(request, "emergency/confirm_authorization.html", {"error": str(refusal)}, status=403)
    except Conflict as refusal:
        return render(request, "emergency/confirm_authorization.html", {"error": refusal.message}, status=409)
    if request.method == "POST":
        try:
            confirmation.confirm(token=token, actor=request.user)
        except ValidationError as refusal:
            status, error = 400, " ".join(refusal.messages)
        except PermissionDenied as refusal:
            status, error = 403, str(refusal)
        except Conflict as refusal:
            status, error = 409, refusal.message
        else:
            messages.success(request, "Emergency authorization confirmed.")
            return redirect(reverse("changes:detail", args=[pending.change_id]) + "#emergency")
    return render(request, "emergency/confirm_authorization.html", {"pending": pending, "error": error},
                  status=status)


@member_required
def paperwork_list(request):
    """Open (or only overdue) emergency paperwork, and the emergency change rate against its target."""
    now = timezone.now()
    overdue_only = request.GET.get("overdue") == "1"
    rows = selectors.status_rows(overdue_only=overdue_only, now=now, limit=LIST_LIMIT)
    return render_page(request, "emergency/list.html", {
        "rows": rows, "overdue_only": overdue_only, "rate": selectors.emergency_rate(now),
        "hours": policy.get("emergency_paperwork_hours")})
