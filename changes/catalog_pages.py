"""The service catalog's configuration pages: services, configuration items and standard change
templates, each a list (edit, delete) and a form, every write through changes.catalog_services
(administrators only, audited; a delete refused while changes or freezes name the row)."""
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from changemgmt.refusals import describe
from changemgmt.roles import Role, has_role
from changemgmt.web.access import member_required
from changemgmt.web.forms import bind_errors
from changemgmt.web.htmx import redirect_page
from changes import catalog_services
from changes.models import ConfigurationItem, Service, StandardTemplate
from changes.risk import FACTORS


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "owner_team", "criticality", "description"]
        help_texts = {"name": "Unique; changes, conflicts and freezes are per service.",
                      "owner_team": "The team that owns it (its manager hears of its changes).",
                      "criticality": "How much the business depends on it.",
                      "description": "What it does, for people filing a change."}


class ItemForm(forms.ModelForm):
    class Meta:
        model = ConfigurationItem
        fields = ["service", "name", "description"]
        help_texts = {"service": "The service this item belongs to.",
                      "name": "Unique, e.g. a host, database or queue name.",
                      "description": "What it is."}


class TemplateForm(forms.ModelForm):
    class Meta:
        model = StandardTemplate
        fields = ["name", "description", "category", "implementation_plan", "test_plan", "rollback_plan",
                  "risk_scores", "active"]
        help_texts = {
            "name": "Unique; shown in the standard-change catalog.",
            "description": "When this pre-approved change applies.",
            "category": "The category of the changes filed from it.",
            "implementation_plan": "The steps; a change that edits them becomes a normal change.",
            "test_plan": "How it is checked after deploying.",
            "rollback_plan": "How it is undone.",
            "risk_scores": "JSON, each of " + ", ".join(FACTORS) + " scored 1 to 3; the total must band low "
                           '[POLICY §1], e.g. {"systems": 1, "users": 1, "data": 1, "reversibility": 1, '
                           '"security": 1}.',
            "active": "Untick to take it out of the catalog without deleting it (changes keep naming it).",
        }


@dataclass(frozen=True)
class Kind:
    title: str
    model: type
    form: type
    columns: tuple[str, ...]
    cells: object  # row -> list of cells
    store: object
    remove: object
    argument: str


KINDS = {
    "services": Kind("Services", Service, ServiceForm, ("Name", "Criticality", "Owner team"),
                     lambda s: [s.name, s.get_criticality_display(), s.owner_team or "—"],
                     catalog_services.save_service, catalog_services.delete_service, "service"),
    "items": Kind("Configuration items", ConfigurationItem, ItemForm, ("Name", "Service"),
                  lambda i: [i.name, i.service], catalog_services.save_configuration_item,
                  catalog_services.delete_configuration_item, "item"),
    "templates": Kind("Standard change templates", StandardTemplate, TemplateForm, ("Name", "Category", "Active"),
                      lambda t: [t.name, t.get_category_display(), "yes" if t.active else "no"],
                      catalog_services.save_template, catalog_services.delete_template, "template"),
}
RELATED = {Service: ["owner_team"], ConfigurationItem: ["service"], StandardTemplate: []}


def _kind_and_row(user, kind: str, pk):
    if not has_role(user, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator edits the service catalog.")
    if kind not in KINDS:
        raise Http404("No such catalog part.")
    spec = KINDS[kind]
    row = None
    if pk is not None:
        row = spec.model.objects.filter(pk=pk).first()
        if row is None:
            raise Http404("No such catalog entry.")
    return spec, row


@member_required
@require_http_methods(["GET", "POST"])
def catalog(request, kind: str = "services", pk: int | None = None):
    spec, instance = _kind_and_row(request.user, kind, pk)
    here = reverse("changes:catalog-config-kind", args=[kind])
    form, status = spec.form(instance=instance), 200
    if request.method == "POST":
        form = spec.form(request.POST, instance=instance)
        if form.is_valid():
            try:
                saved = spec.store(actor=request.user, **{spec.argument: form.instance})
            except ValidationError as error:
                bind_errors(form, error)
            else:
                messages.success(request, f"{saved} saved.")
                return redirect_page(request, here)
        status = 400
    rows = [{"name": str(row), "cells": spec.cells(row),
             "edit_url": reverse("changes:catalog-config-edit", args=[kind, row.pk]),
             "actions": [{"label": "Delete", "url": reverse("changes:catalog-config-delete", args=[kind, row.pk])}]}
            for row in spec.model.objects.select_related(*RELATED[spec.model])]
    return render(request, "configure/page.html", {
        "title": spec.title, "intro": "The service catalog. A row still named by changes or freezes cannot be "
        "deleted: rename it, or (templates) untick Active.",
        "links": [(other.title, reverse("changes:catalog-config-kind", args=[name]))
                  for name, other in KINDS.items() if name != kind],
        "columns": spec.columns, "rows": rows, "form": form,
        "form_title": f"Edit {instance}" if instance else f"Add to {spec.title.lower()}",
        "form_action": request.path, "cancel_url": here if instance else ""}, status=status)


@member_required
@require_POST
def delete(request, kind: str, pk: int):
    spec, row = _kind_and_row(request.user, kind, pk)
    try:
        spec.remove(actor=request.user, **{spec.argument: row})
    except ValidationError as error:
        messages.error(request, describe(error))
    else:
        messages.success(request, f"{row} deleted.")
    return redirect_page(request, reverse("changes:catalog-config-kind", args=[kind]))
