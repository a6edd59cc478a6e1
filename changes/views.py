"""Change request pages. Views are thin: parse the input, fetch through `_get_change` (which also
checks the right to read), call one service, then render what changes.presenters hands over —
never a rule or a record of their own."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from changemgmt.errors import Conflict, GateRefused
from changemgmt.templatetags.cm_format import local
from changemgmt.web.access import member_required
from changemgmt.web.forms import bind_errors, post_data
from changemgmt.web.htmx import is_htmx, redirect_page, render_page
from changemgmt.web.paging import BoundedPaginator
from changes import presenters, rules, selectors, services
from changes.choices import ChangeType
from changes.filters import ChangeFilter
from changes.forms import ChangeForm, RiskForm, TestEvidenceForm
from changes.lists import presenters as list_presenters
from changes.lists import selectors as list_selectors
from changes.models import ChangeRequest, StandardTemplate
from changes.presenters import Step, posted_step
from changes.transitions import TRANSITIONS

PAGE_SIZE = 50
FIELD_GROUPS = [
    ("What and why", ["title", "change_type", "category", "emergency_criterion", "description",
                      "business_justification"]),
    ("Impact", ["services", "configuration_items", "impact_systems", "impact_users", "security_triggers"]),
    ("Plans", ["implementation_plan", "test_plan", "rollback_plan"]),
    ("Schedule", ["planned_start", "planned_end", "freeze_justification"]),
    ("Owner and links", ["owner", "ticket_url", "pr_url", "external_source", "external_key"]),
]
HELP = {
    "planned_start": "Organisation time ({tz}). Must fall inside a deployment window for the change's risk.",
    "planned_end": "Organisation time ({tz}).",
    "freeze_justification": "Only needed to deploy during a soft freeze.",
    "emergency_criterion": "Emergency changes only.",
    "services": "Hold Ctrl (⌘ on a Mac) to pick several.",
    "external_source": "The ticketing tool that keeps this change (e.g. jira), with its key; a pipeline may name "
                       "the change by that key.",
}


def _get_change(user, pk) -> ChangeRequest:
    change = selectors.change_detail_queryset().filter(pk=pk).first()
    if change is None:
        raise Http404("No such change.")
    if not rules.can_view(user, change):
        raise PermissionDenied
    return change


def _detail_url(pk) -> str:
    return reverse("changes:detail", args=[pk])


def _change_form(*args, **kwargs) -> ChangeForm:
    """The service's ChangeForm with page help texts (set before any bound field is built)."""
    form = ChangeForm(*args, **kwargs)
    tz = timezone.get_current_timezone_name()
    for name, text in HELP.items():
        if name in form.fields:
            form.fields[name].help_text = text.format(tz=tz)
    if not form.instance.pk:
        form.fields["owner"].empty_label = "Me (default)"
    return form


def _grouped(form, exclude=()) -> list[tuple[str, list]]:
    return [(title, [form[name] for name in names if name in form.fields and name not in exclude])
            for title, names in FIELD_GROUPS]


# ----- list -----------------------------------------------------------------------------------------

@member_required
def change_list(request):
    """Filters, search and pagination over the shared ChangeFilter (built only when the query string
    names a filter); htmx refreshes only the table. Four queries for the full page, three for the table."""
    filterset = ChangeFilter(request.GET, queryset=list_selectors.changes()) if ChangeFilter.given(request.GET) \
        else None
    changes = list_selectors.changes() if filterset is None else filterset.qs
    page = BoundedPaginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    selected = {name: request.GET.getlist(name) for name in ("state", "change_type", "risk_level", "category")}
    context = {
        "page": page, "rows": list_selectors.page_rows(page.object_list),
        "query": query.urlencode(), "selected": selected,
        "can_create": rules.can_create(request.user),
        **list_presenters.extras(request),  # sortable headers, bulk actions (changes.lists)
    }
    if not is_htmx(request):  # the filter form and saved filters are not part of the table an htmx request gets
        choices = list_selectors.page_choices(request.user)
        context.update(list_presenters.filter_form(filterset, selected, choices.owners, choices.services),
                       saved_filters=choices.saved)
    return render_page(request, "changes/list.html", context, fragment="changes/_table.html")


# ----- create and edit -----------------------------------------------------------------------------

@member_required
def change_create(request):
    if not rules.can_create(request.user):
        raise PermissionDenied("Your roles do not allow filing changes.")
    form, status = _change_form(), 200
    if request.method == "POST":
        data = post_data(request.POST, ChangeForm)
        try:
            change = services.create_change(actor=request.user, data=data)
        except ValidationError as error:
            form, status = bind_errors(_change_form(data=data), error), 400
        else:
            messages.success(request, f"{change.reference} filed as a draft. Complete the checklist below, "
                                      "then submit it for assessment.")
            return redirect_page(request, _detail_url(change.pk))
    return render(request, "changes/form.html", {"form": form, "groups": _grouped(form), "title": "File a change"},
                  status=status)


@member_required
def change_edit(request, pk: int):
    change = _get_change(request.user, pk)
    if not rules.can_edit(request.user, change):
        raise PermissionDenied("Only the author or owner may edit a change, and only before approval.")
    form, status = _change_form(instance=change), 200
    if request.method == "POST":
        data = post_data(request.POST, ChangeForm)
        try:
            saved = services.update_change(change_id=change.pk, actor=request.user, data=data)
        except ValidationError as error:
            form, status = bind_errors(_change_form(data=data, instance=change), error), 400
        except GateRefused as refusal:  # the edit would break the submit gate: nothing saved
            form = bind_errors(_change_form(data=data, instance=change),
                               ValidationError([f"{m.message} ({m.policy})" for m in refusal.missing]))
            status = 409
        else:
            for notice in saved.notices:
                messages.warning(request, notice)
            messages.success(request, f"{change.reference} saved.")
            return redirect_page(request, _detail_url(change.pk))
    context = {"form": form, "groups": _grouped(form), "change": change, "title": f"Edit {change.reference}"}
    return render(request, "changes/form.html", context, status=status)


@member_required
def catalog(request):
    """The standard-change catalog: pre-approved templates a change can be filed from."""
    templates = list(StandardTemplate.objects.filter(active=True).order_by("name"))
    return render(request, "changes/catalog.html", {"templates": templates,
                                                    "can_create": rules.can_create(request.user)})


@member_required
def create_from_template(request, template_id: int):
    if not rules.can_create(request.user):
        raise PermissionDenied("Your roles do not allow filing changes.")
    template = StandardTemplate.objects.filter(pk=template_id, active=True).first()
    if template is None:
        raise Http404("No active standard template with this id.")
    exclude = {*StandardTemplate.CONTROLLED_FIELDS, "change_type", "emergency_criterion"}
    form, status = _change_form(initial={"title": template.name, "description": template.description}), 200
    if request.method == "POST":
        data = {key: value for key, value in post_data(request.POST, ChangeForm).items() if key not in exclude}
        try:
            change = services.create_from_template(actor=request.user, template_id=template.pk, data=data)
        except ValidationError as error:
            form, status = bind_errors(_change_form(data={**data, "change_type": ChangeType.NORMAL,
                                                        "category": template.category}), error), 400
        else:
            for notice in change.notices:  # a ticked security trigger made it a normal change
                messages.warning(request, notice)
            if not change.notices:
                messages.success(request, f"{change.reference} filed from the standard template “{template.name}”: "
                                          "it is pre-approved and skips approvals.")
            return redirect_page(request, _detail_url(change.pk))
    context = {"form": form, "groups": _grouped(form, exclude), "template": template,
               "title": f"Standard change: {template.name}"}
    return render(request, "changes/form.html", context, status=status)


# ----- detail --------------------------------------------------------------------------------------

def _detail(request, pk, *, status=200, posted: Step | None = None, risk_form=None, evidence_form=None):
    page = selectors.change_page(pk)  # the page's own one-query loader; the same checks as _get_change
    if page is None:
        raise Http404("No such change.")
    change = page.change
    if not rules.can_view(request.user, change):
        raise PermissionDenied
    if posted is not None:  # a refused plan comes back with the next openings it could move to
        posted.openings = presenters.openings_after_refusal(request.user, change, posted)
        if is_htmx(request):
            return render(request, "changes/_step.html", {"change": change, "step": posted}, status=status)
    context = presenters.detail_context(request.user, page, posted=posted, bound_risk_form=risk_form,
                                        evidence_form=evidence_form)
    return render(request, "changes/detail.html", context, status=status)


@member_required
def change_detail(request, pk: int):
    return _detail(request, pk)


# ----- writes from the detail page ------------------------------------------------------------------

@member_required
@require_POST
def change_transition(request, pk: int, name: str):
    """Run one transition. Refused: the page again, with every missing item (409). Bad input: the
    form with its errors (400). Not allowed: 403. Moved on meanwhile: a message."""
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise Http404("No such transition.")
    try:
        change = services.run_transition(change_id=pk, name=name, actor=request.user, data=request.POST)
    except ChangeRequest.DoesNotExist as exc:
        raise Http404("No such change.") from exc
    except GateRefused as refusal:
        form = spec.form(data=request.POST, auto_id=f"id_{name}_%s")
        form.is_valid()
        return _detail(request, pk, status=409,
                       posted=posted_step(name, form, missing=refusal.missing, refused=True))
    except ValidationError as error:
        form = bind_errors(spec.form(data=request.POST, auto_id=f"id_{name}_%s"), error)
        return _detail(request, pk, status=400,
                       posted=posted_step(name, form, error="Please correct the fields marked below."))
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect_page(request, _detail_url(pk))
    messages.success(request, f"{spec.label}: {change.reference} is now “{change.get_state_display()}”.")
    return redirect_page(request, _detail_url(pk))


@member_required
@require_POST
def change_reschedule(request, pk: int):
    """One click from a refused submit or deploy: move the plan to an offered opening through the
    reschedule service (the API's), which runs every check again — lead time, window, freezes, the
    approvals the new plan needs — and writes nothing if one fails."""
    _get_change(request.user, pk)
    try:
        saved = services.reschedule(change_id=pk, actor=request.user, planned_start=request.POST.get("planned_start"),
                                    planned_end=request.POST.get("planned_end"), reason=request.POST.get("reason"))
    except ChangeRequest.DoesNotExist as exc:
        raise Http404("No such change.") from exc
    except GateRefused as refusal:
        messages.error(request, "Not rescheduled — nothing was changed: " + " ".join(
            f"{item.message} ({item.policy})" for item in refusal.missing))
        return _detail(request, pk, status=409)
    except ValidationError as error:
        messages.error(request, "Not rescheduled — nothing was changed: " + " ".join(
            f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items()))
        return _detail(request, pk, status=400)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect_page(request, _detail_url(pk))
    change = saved.change
    messages.success(request, f"{change.reference} rescheduled to {local(change.planned_start)}. Every check ran "
                              "again on the new plan; take the step once more.")
    for notice in saved.notices:
        messages.warning(request, notice)
    return redirect_page(request, _detail_url(pk) + "#next-heading")


@member_required
@require_POST
def change_risk(request, pk: int):
    try:
        change = services.score_risk(change_id=pk, actor=request.user, data=post_data(request.POST, RiskForm))
    except ChangeRequest.DoesNotExist as exc:
        raise Http404("No such change.") from exc
    except ValidationError as error:
        form = bind_errors(RiskForm(data=post_data(request.POST, RiskForm), auto_id="id_risk_%s"), error)
        return _detail(request, pk, status=400, risk_form=form)
    messages.success(request, f"Risk scored: {change.reference} is {change.get_risk_level_display().lower()} risk.")
    for notice in change.notices:  # the new level broke the plan: the change is back in request
        messages.warning(request, notice)
    return redirect_page(request, _detail_url(pk) + "#risk")


@member_required
@require_POST
def change_evidence(request, pk: int):
    data = post_data(request.POST, TestEvidenceForm)
    try:
        evidence = services.record_test_evidence(change_id=pk, actor=request.user, data=data)
    except ChangeRequest.DoesNotExist as exc:
        raise Http404("No such change.") from exc
    except ValidationError as error:
        form = bind_errors(TestEvidenceForm(data=data, auto_id="id_evidence_%s"), error)
        return _detail(request, pk, status=400, evidence_form=form)
    messages.success(request, f"Recorded {evidence.get_test_type_display().lower()} test evidence "
                              f"({evidence.get_result_display().lower()}).")
    return redirect_page(request, _detail_url(pk) + "#tests")
