"""The on-call roster's configuration page: the shifts (edit, remove) and the form adding one, every
write through approvals.services.save_shift / delete_shift (administrators only, audited)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from approvals import services
from approvals.forms import ShiftForm
from approvals.models import OnCallShift
from changemgmt.roles import Role, has_role
from changemgmt.web.access import member_required
from changemgmt.web.forms import bind_errors
from changemgmt.web.htmx import redirect_page

NOT_ALLOWED = "Only administrators edit the on-call roster."


def _shift(pk):
    shift = OnCallShift.objects.select_related("user").filter(pk=pk).first()
    if shift is None:
        raise Http404("No such shift.")
    return shift


@member_required
@require_http_methods(["GET", "POST"])
def roster(request, pk: int | None = None):
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied(NOT_ALLOWED)
    instance = _shift(pk) if pk is not None else None
    form, status = ShiftForm(instance=instance), 200
    if request.method == "POST":
        form = ShiftForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                services.save_shift(actor=request.user, shift=form.instance)
            except ValidationError as error:
                bind_errors(form, error)
            else:
                messages.success(request, "Shift saved.")
                return redirect_page(request, reverse("approvals:on-call"))
        status = 400
    rows = []
    for shift in OnCallShift.objects.select_related("user").order_by("-starts_at")[:200]:
        name = shift.user.get_full_name() or shift.user.username
        label = f"{name}, {shift.get_role_display()} from {timezone.localtime(shift.starts_at):%d %b %H:%M}"
        rows.append({"name": label, "edit_url": reverse("approvals:on-call-edit", args=[shift.pk]),
                     "actions": [{"label": "Remove", "url": reverse("approvals:on-call-delete", args=[shift.pk])}],
                     "cells": [name, shift.get_role_display(), f"{timezone.localtime(shift.starts_at):%d %b %Y %H:%M}",
                               f"{timezone.localtime(shift.ends_at):%d %b %Y %H:%M}"]})
    return render(request, "configure/page.html", {
        "title": "On-call roster", "intro": "After business hours only the manager and security on call may "
        "authorize an emergency change [POLICY §7]. The latest 200 shifts are shown.",
        "columns": ["Who", "As", "From", "To"], "rows": rows, "form": form,
        "form_title": "Edit the shift" if instance else "Add a shift", "form_action": request.path,
        "cancel_url": reverse("approvals:on-call") if instance else ""}, status=status)


@member_required
@require_POST
def remove(request, pk: int):
    services.delete_shift(actor=request.user, shift=_shift(pk))
    messages.success(request, "Shift removed.")
    return redirect_page(request, reverse("approvals:on-call"))
