"""The "Configure" pages of the kernel: the hub linking every configuration page a user's roles may
edit (by URL name only: the kernel imports no app), and the policy settings page, one form per
setting, every edit through changemgmt.policy_services.update_setting. The whole policy pack (export, diff,
import) is the /policy/ page; the Django admin stays for superusers."""
import json
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from changemgmt import policy, policy_services
from changemgmt.policy_defaults import DEFAULTS
from changemgmt.roles import Role, has_role, roles_of
from changemgmt.web.access import member_required
from changemgmt.web.forms import bind_errors
from changemgmt.web.htmx import redirect_page

ADMINS = frozenset({Role.ADMINISTRATOR})
CHAIR = frozenset({Role.ADMINISTRATOR, Role.CAB_CHAIR})


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    roles: frozenset[str]  # mirrors the rule the page's service enforces
    explains: str


PAGES = [
    Page("Deployment windows", "calendar:windows", CHAIR, "When normal changes of each risk level may deploy."),
    Page("Freezes", "calendar:freezes", CHAIR | {Role.OPERATIONS, Role.MANAGER},
         "Announce a change freeze or lift one."),
    Page("CAB board", "cab:board", CHAIR, "Who sits on the Change Advisory Board: appoint and retire seats."),
    Page("On-call roster", "approvals:on-call", ADMINS, "Who may authorize an emergency change after hours."),
    Page("Service catalog", "changes:catalog-config", ADMINS,
         "Services, configuration items and standard change templates."),
    Page("Policy settings", "configure-policy", ADMINS, "Lead times, approval matrix, SLAs: one value at a time."),
    Page("Policy pack", "policypack:page", ADMINS, "The whole policy as a file: export, compare, import."),
]

NOT_ALLOWED = "Your roles configure nothing here; ask an administrator."


def pages_for(user) -> list[tuple[Page, str]]:
    roles, found = roles_of(user), []
    for page in PAGES:
        if roles & page.roles:
            try:
                found.append((page, reverse(page.url_name)))
            except NoReverseMatch:  # that app is not installed
                continue
    return found


@member_required
def hub(request):
    pages = pages_for(request.user)
    if not pages:
        raise PermissionDenied(NOT_ALLOWED)
    return render(request, "configure/hub.html", {"pages": pages})


class SettingForm(forms.Form):
    value = forms.CharField(widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
                            error_messages={"required": "Give the new value, as JSON."})

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        _default, reference, description = DEFAULTS[key]
        self.fields["value"].label = key
        self.fields["value"].help_text = (f"{description} ({reference}.) JSON of the same shape as now; it is "
                                          "checked against the rest of the policy before it is saved.")

    def clean_value(self):
        try:
            return json.loads(self.cleaned_data["value"])
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).") \
                from error


def _check_admin(user) -> None:
    if not has_role(user, Role.ADMINISTRATOR) or has_role(user, Role.AUDITOR):
        raise PermissionDenied("Only administrators edit the policy.")


@member_required
@require_http_methods(["GET", "POST"])
def policy_settings(request, setting: str | None = None):
    """Every setting with its value; at /configure/policy/<setting>/ the form editing that one."""
    _check_admin(request.user)
    key = setting
    if key is not None and key not in DEFAULTS:
        raise Http404("No such policy setting.")
    values, form, status = policy.all_values(), None, 200
    if key is not None:
        form = SettingForm(key=key, initial={"value": json.dumps(values.get(key), indent=2)})
    if key is not None and request.method == "POST":
        form = SettingForm(request.POST, key=key)
        if form.is_valid():
            try:
                policy_services.update_setting(key=key, value=form.cleaned_data["value"], actor=request.user)
            except ValidationError as error:
                bind_errors(form, ValidationError({"value": error.messages}))
            else:
                messages.success(request, f"Policy setting {key} saved.")
                return redirect_page(request, reverse("configure-policy"))
        status = 400
    rows = [{"name": name, "edit_url": reverse("configure-policy-edit", args=[name]),
             "cells": [name, DEFAULTS[name][1], DEFAULTS[name][2], json.dumps(values.get(name))[:120]]}
            for name in DEFAULTS]
    return render(request, "configure/page.html", {
        "title": "Policy settings",
        "intro": "Each value of the policy, with the section of the policy it implements. Edit one at a time "
                 "here; to export, compare or import the whole pack use the Policy pack page.",
        "columns": ["Setting", "Policy", "What it decides", "Value"], "rows": rows, "form": form,
        "form_title": f"Edit {key}", "form_action": request.path, "cancel_url": reverse("configure-policy"),
        "links": [("The policy pack (export, compare, import)", reverse("policypack:page"))],
    }, status=status)
