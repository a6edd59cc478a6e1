"""The endpoint the change page posts an approval decision to, and the page an approval-request mail's
grant/reject link opens: each parses the input, calls one service, and answers. Rules stay in the services."""
from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from approvals import email_link_services, services
from approvals.choices import DecisionChannel
from approvals.models import ApprovalSlot
from changemgmt.errors import Conflict
from changemgmt.web.access import member_required


@member_required
@require_POST
def decide(request, slot_id: int):
    change_id = ApprovalSlot.objects.filter(pk=slot_id).values_list("change_id", flat=True).first()
    if change_id is None:
        raise Http404("No such approval.")
    back = reverse("changes:detail", args=[change_id]) + "#approvals"
    verdict = request.POST.get("verdict", "")
    try:
        slot = services.decide(slot_id=slot_id, actor=request.user, verdict=verdict,
                               reason=request.POST.get("reason", ""), channel=DecisionChannel.PAGE)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"Not recorded: {message}")
        return redirect(back)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect(back)
    messages.success(request, f"{slot.get_role_display()} approval {slot.get_status_display().lower()}.")
    return redirect(back)



def _password_refusal(request) -> PermissionDenied | None:
    """When the setting asks for a fresh login and this session's is older than the policy allows, the
    password must come with the decision (checked by the authentication backends, lock-out included)."""
    if not email_link_services.fresh_login_required() or email_link_services.login_is_fresh(request.session):
        return None
    user = authenticate(request, username=request.user.get_username(), password=request.POST.get("password", ""))
    if user is None or user.pk != request.user.pk:
        return PermissionDenied("Password incorrect: sign in again to decide from an e-mail link.")
    email_link_services.note_login(None, request, user)
    return None


@member_required
def email_decision(request, token: str):
    """The link of an approval-request mail: GET shows what it will decide, after every check (writes
    nothing, so a mail scanner or link preview decides nothing); POST decides, through the one write path."""
    page = "approvals/email_decision.html"
    try:
        link, acting_for = email_link_services.open_link(token, request.user)
    except ValidationError as refusal:
        return render(request, page, {"error": " ".join(refusal.messages)}, status=400)
    except PermissionDenied as refusal:
        return render(request, page, {"error": str(refusal)}, status=403)
    except Conflict as refusal:
        return render(request, page, {"error": refusal.message}, status=409)
    status, error = 200, ""
    if request.method == "POST":
        refusal = _password_refusal(request)
        if refusal is not None:
            email_link_services.refuse(request.user, refusal)
            status, error = 403, str(refusal)
        else:
            try:
                slot = email_link_services.decide_by_link(token=token, actor=request.user,
                                                          reason=request.POST.get("reason", ""))
            except ValidationError as refusal:
                status, error = 400, " ".join(refusal.messages)
            except PermissionDenied as refusal:
                status, error = 403, str(refusal)
            except Conflict as refusal:
                status, error = 409, refusal.message
            else:
                messages.success(request, f"{slot.get_role_display()} approval on {slot.change.reference} "
                                          f"{slot.get_status_display().lower()} (from your e-mail link).")
                return redirect(reverse("changes:detail", args=[slot.change_id]) + "#approvals")
    fresh = not email_link_services.fresh_login_required() or email_link_services.login_is_fresh(request.session)
    return render(request, page, {"link": link, "slot": link.slot, "change": link.slot.change,
                                  "acting_for": acting_for, "needs_password": not fresh, "error": error,
                                  "reason": request.POST.get("reason", "")}, status=status)
