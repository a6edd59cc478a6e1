"""The policy pack page, for administrators (anyone else 403): export the policy as a pack (JSON or
YAML), preview a pack — its diff, the values the schema would refuse, and the dry run over open
changes — then import it; or dry-run one edit before making it. Previews write nothing; the import is
the kernel's all-or-nothing write path (changemgmt.policy_pack.import_pack), refused with 400 (a value)
or 409 (the policy changed since the preview)."""
import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from changemgmt import policy_pack
from changemgmt.errors import Conflict
from changes.policypack import selectors
from changes.policypack.forms import EditForm, PackForm
from changes.policypack.rules import may_manage_policy


def administrators_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_manage_policy(request.user):
            raise PermissionDenied("Only administrators may export, preview or import the policy.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _page(request, *, pack_form=None, edit_form=None, preview=None, pack_text="", error="", status=200):
    return render(request, "policypack/page.html", {
        "pack_form": pack_form or PackForm(), "edit_form": edit_form or EditForm(), "preview": preview,
        "pack_text": pack_text, "error": error}, status=status)


def _refusal_text(refusal: ValidationError) -> str:
    return " ".join(f"{field}: {message}" for field, items in refusal.message_dict.items() for message in items)


@administrators_only
@require_GET
def page(request):
    return _page(request)


@administrators_only
@require_GET
def export(request, fmt: str):
    text = policy_pack.dumps(policy_pack.export_pack(), fmt)
    response = HttpResponse(text, content_type="application/yaml" if fmt == "yaml" else "application/json")
    response["Content-Disposition"] = f'attachment; filename="policy-pack.{fmt}"'
    return response


@administrators_only
@require_POST
def preview(request):
    form = PackForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, pack_form=form, status=400)
    try:
        settings = policy_pack.parse_text(form.cleaned_data["text"])
    except ValidationError as refusal:
        return _page(request, pack_form=form, error=_refusal_text(refusal), status=400)
    return _page(request, preview=selectors.preview(settings), pack_text=form.cleaned_data["text"])


@administrators_only
@require_POST
def dry_run_edit(request):
    form = EditForm(request.POST)
    if not form.is_valid():
        return _page(request, edit_form=form, status=400)
    pack = {"format": policy_pack.FORMAT, "format_version": policy_pack.FORMAT_VERSION,
            "settings": {form.cleaned_data["key"]: form.cleaned_data["value"]}}
    return _page(request, edit_form=form, preview=selectors.preview(pack["settings"]),
                 pack_text=json.dumps(pack, indent=2, ensure_ascii=False))


@administrators_only
@require_POST
def import_pack(request):
    form = PackForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, pack_form=form, status=400)
    try:
        settings = policy_pack.parse_text(form.cleaned_data["text"])
        changed = policy_pack.import_pack(settings=settings, actor=request.user, source="page",
                                          expected_revision=form.cleaned_data["expected_revision"])
    except ValidationError as refusal:
        return _page(request, pack_form=form, error="Nothing was imported. " + _refusal_text(refusal), status=400)
    except Conflict as refusal:
        return _page(request, pack_form=form, error=refusal.message, status=409)
    messages.success(request, f"Policy pack imported: {len(changed)} setting(s) changed."
                     if changed else "Policy pack imported: nothing differed from the policy in force.")
    return redirect("policypack:page")
