"""The board's configuration page (the seats, appointing one: cab.services.board.appoint) and
retiring a seat (cab.services.board.retire), from this page or the CAB page's board list."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from cab import rules
from cab.forms import AppointForm
from cab.models import BoardMember
from cab.services import board as board_services
from changemgmt.errors import Conflict
from changemgmt.web.access import member_required
from changemgmt.web.forms import bind_errors
from changemgmt.web.htmx import redirect_page


@member_required
@require_http_methods(["GET", "POST"])
def board(request):
    """Every seat, active or retired (retire an active one), and the form appointing someone."""
    if not rules.can_chair(request.user):
        raise PermissionDenied("Only an administrator or the CAB chair configures the board.")
    form, status = AppointForm(), 200
    if request.method == "POST":
        form = AppointForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                member = board_services.appoint(actor=request.user, user=data["user"], seat=data["seat"],
                                                deputy=data["deputy"])
            except ValidationError as error:
                bind_errors(form, error)
            else:
                messages.success(request, f"{member} appointed.")
                return redirect_page(request, reverse("cab:board"))
        status = 400
    here, rows = reverse("cab:board"), []
    for member in BoardMember.objects.select_related("user"):
        name = member.user.get_full_name() or member.user.username
        actions = []
        if member.active and rules.retire_refusal(request.user, member) is None:
            actions.append({"label": "Retire", "next": here, "url": reverse("cab:board-retire", args=[member.pk])})
        rows.append({"name": f"{name} ({member.get_seat_display()})", "actions": actions, "cells": [
            name, member.get_seat_display(), "deputy" if member.deputy else "principal",
            "active" if member.active else "retired"]})
    return render(request, "configure/page.html", {
        "title": "CAB board", "intro": "The Change Advisory Board's seats: who votes and counts for quorum. "
        "A retired seat stays in the minutes it appears in; appointing the same person again re-activates it.",
        "columns": ["Member", "Seat", "As", "Status"], "rows": rows, "form": form, "form_title": "Appoint to a seat",
        "submit_label": "Appoint", "form_action": here}, status=status)


@require_POST
@member_required
def retire(request, pk: int):
    try:
        member = board_services.retire(actor=request.user, member_id=pk)
    except BoardMember.DoesNotExist as missing:
        raise Http404("No such board member.") from missing
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, f"{member.user.get_full_name() or member.user.username} no longer holds the "
                                  f"{member.get_seat_display()} seat.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("cab:meetings") + "#board"
    return redirect_page(request, next_url)
