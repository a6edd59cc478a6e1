"""The calendar's configuration pages: deployment windows (list, create, edit, delete) and freezes
(list, announce, lift), for the roles changes.calendar.rules names. Every write goes through
changes.calendar.services; a refusal re-renders the form (400) with the error next to its field."""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from changemgmt.web.access import member_required
from changemgmt.web.forms import bind_errors, post_data
from changemgmt.web.htmx import redirect_page
from changes.calendar import rules, services
from changes.calendar.forms import FreezeForm, WindowForm
from changes.calendar.models import DeploymentWindow, Freeze

WEEKDAYS = dict(WindowForm.base_fields["weekday"].choices)


class WindowPageForm(WindowForm):
    """The window form as the page shows it: each field says what it means."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weekday"].help_text = "The day of the week this window recurs on, every week."
        self.fields["starts"].help_text = "Local time (the organisation's time zone) the window opens."
        self.fields["ends"].help_text = "Local time it closes: after the start, the same day."
        self.fields["risks"].help_text = ("Risk levels that may deploy in this window. Two windows sharing a "
                                          "risk level may not overlap.")


class FreezePageForm(FreezeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_texts = {
            "name": "A short name shown on the calendar, e.g. “Year-end freeze”.",
            "reason": "Why nothing may deploy; told to the owners of the changes it catches.",
            "kind": ("Hard: only emergency changes deploy. Soft: a change deploys with a justification and an "
                     "extra approval."),
            "starts_at": "When the freeze begins (local time).",
            "ends_at": "When it ends (local time); after the start.",
        }
        for name, text in help_texts.items():
            self.fields[name].help_text = text
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _check(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _window_rows():
    rows = []
    for window in DeploymentWindow.objects.order_by("weekday", "starts"):
        rows.append({"name": str(window), "edit_url": reverse("calendar:window-edit", args=[window.pk]),
                     "cells": [WEEKDAYS.get(window.weekday, window.weekday), window.starts.strftime("%H:%M"),
                               window.ends.strftime("%H:%M"), ", ".join(window.risks)],
                     "actions": [{"label": "Delete", "url": reverse("calendar:window-delete", args=[window.pk])}]})
    return rows


@member_required
@require_http_methods(["GET", "POST"])
def windows(request, pk: int | None = None):
    """The windows and the form creating one (or, at /windows/<pk>/, editing that one)."""
    _check(rules.can_edit_windows(request.user), "Only an administrator or the CAB chair edits deployment windows.")
    instance = None
    if pk is not None:
        instance = DeploymentWindow.objects.filter(pk=pk).first()
        if instance is None:
            raise Http404("No such window.")
    form, status = WindowPageForm(instance=instance), 200
    if request.method == "POST":
        data = post_data(request.POST, WindowForm)
        try:
            window = services.save_window(actor=request.user, data=data, window_id=pk)
        except ValidationError as error:
            form, status = bind_errors(WindowPageForm(data=data, instance=instance), error), 400
        else:
            messages.success(request, f"Window {window} saved.")
            return redirect_page(request, reverse("calendar:windows"))
    return render(request, "configure/page.html", {
        "title": "Deployment windows",
        "intro": "Normal changes deploy only inside a window allowing their risk level (POLICY §3); "
                 "standard and emergency changes are not bound to windows.",
        "columns": ["Day", "Opens", "Closes", "Risk levels"], "rows": _window_rows(), "form": form,
        "form_title": f"Edit the window {instance}" if instance else "Add a window",
        "form_action": request.path, "cancel_url": reverse("calendar:windows") if instance else "",
    }, status=status)


@member_required
@require_POST
def delete_window(request, pk: int):
    try:
        services.delete_window(actor=request.user, window_id=pk)
    except DeploymentWindow.DoesNotExist as missing:
        raise Http404("No such window.") from missing
    messages.success(request, "Window deleted.")
    return redirect_page(request, reverse("calendar:windows"))


def _freeze_rows(user):
    now, here = timezone.now(), reverse("calendar:freezes")
    may_lift = rules.can_lift_freeze(user)
    rows = []
    for freeze in Freeze.objects.prefetch_related("services").order_by("-starts_at"):
        local = timezone.localtime
        state = ("lifted" if freeze.lifted_at else "over" if freeze.ends_at <= now
                 else "in force" if freeze.starts_at <= now else "announced")
        services_text = ", ".join(s.name for s in freeze.services.all()) or "every service"
        actions = []
        if may_lift and state in ("in force", "announced"):
            actions.append({"label": "Lift", "reason": True, "next": here,
                            "url": reverse("calendar:freeze-lift", args=[freeze.pk])})
        rows.append({"name": freeze.name, "actions": actions, "cells": [
            freeze.name, freeze.get_kind_display(), f"{local(freeze.starts_at):%d %b %Y %H:%M}",
            f"{local(freeze.ends_at):%d %b %Y %H:%M}", services_text, state]})
    return rows


@member_required
@require_http_methods(["GET", "POST"])
def freezes(request):
    """The freezes (lift an announced one) and the form announcing a new one."""
    _check(rules.can_announce_freeze(request.user), "Your roles do not allow announcing freezes.")
    form, status = FreezePageForm(), 200
    if request.method == "POST":
        data = post_data(request.POST, FreezeForm)
        try:
            preview = services.announce_freeze(actor=request.user, data=data)
        except ValidationError as error:
            form, status = bind_errors(FreezePageForm(data=data), error), 400
        else:
            messages.success(request, f"Freeze “{preview.freeze.name}” announced; it catches "
                                      f"{len(preview.caught)} planned change(s).")
            return redirect_page(request, reverse("calendar:freezes"))
    return render(request, "configure/page.html", {
        "title": "Freezes",
        "intro": "During a freeze no change deploys on the services it covers. Announcing one puts the ready "
                 "changes it catches on hold and tells their owners; lifting one ends it now, for a reason.",
        "columns": ["Name", "Kind", "Starts", "Ends", "Services", "State"], "rows": _freeze_rows(request.user),
        "form": form, "form_title": "Announce a freeze", "submit_label": "Announce the freeze",
        "form_action": request.path,
    }, status=status)
