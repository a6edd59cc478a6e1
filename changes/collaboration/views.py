"""The collaboration panel of the change page: its own htmx part (templates/changes/collaboration/),
loaded after the page and refreshed by a cheap poll; without JavaScript the same panel is a page of its
own. Views are thin: fetch the change (the read check), call one service, render the panel again."""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from changemgmt.errors import Conflict
from changemgmt.web.access import member_required
from changemgmt.web.forms import bind_errors, post_data
from changemgmt.web.htmx import is_htmx, redirect_page
from changes import rules as change_rules
from changes.collaboration import rules, selectors, services
from changes.collaboration.forms import AttachmentForm, CommentForm
from changes.models import ChangeRequest


def _change(user, pk) -> ChangeRequest:
    change = ChangeRequest.objects.filter(pk=pk).only("id", "title", "state", "updated_at").first()
    if change is None:
        raise Http404("No such change.")
    if not change_rules.can_view(user, change):
        raise PermissionDenied
    return change


def _embedded(request) -> bool:
    """Shown inside the change page (which it then keeps fresh), not as a page of its own."""
    return request.GET.get("embedded") == "1" or request.GET.get("page") == "change"


def _render(request, change, *, comment_form=None, attachment_form=None, status=200, notice=""):
    context = {
        "panel": selectors.panel(change, request.user), "poll_seconds": settings.LIVE_POLL_SECONDS,
        "embedded": _embedded(request), "limits": services.limits_text(), "status_error": status >= 400,
        "comment_form": comment_form or CommentForm(auto_id="id_comment_%s"),
        "attachment_form": attachment_form or AttachmentForm(auto_id="id_attachment_%s"), "notice": notice,
    }
    template = "changes/collaboration/_panel.html" if is_htmx(request) else "changes/collaboration/page.html"
    return render(request, template, context, status=status)


def _done(request, change, notice: str):
    if is_htmx(request):
        return _render(request, change, notice=notice)
    messages.success(request, notice)
    return redirect_page(request, reverse("collaboration:panel", args=[change.pk]))


@member_required
@require_GET
def panel(request, pk: int):
    """The whole panel: forms, thread, files and watchers (a fragment for htmx, else a page)."""
    return _render(request, _change(request.user, pk))


@member_required
@require_GET
def thread(request, pk: int):
    """The live part: 204 (nothing to swap) while `since` is still the panel's version. When the change
    itself moved (its state or fields), the whole change page is fetched again in place (HX-Location)."""
    change = _change(request.user, pk)
    since, now = request.GET.get("since", ""), selectors.version(change.pk)
    if since == now:
        return HttpResponse(status=204)
    if since and since.rsplit("-", 1)[-1] != now.rsplit("-", 1)[-1] and request.GET.get("page") == "change":
        url = reverse("changes:detail", args=[change.pk])
        return HttpResponse(status=204, headers={
            "HX-Location": f'{{"path": "{url}", "target": "#main", "select": "#main", "swap": "outerHTML"}}'})
    return render(request, "changes/collaboration/_thread.html", {
        "panel": selectors.panel(change, request.user), "poll_seconds": settings.LIVE_POLL_SECONDS,
        "embedded": _embedded(request)})


@member_required
@require_POST
def comment(request, pk: int):
    change = _change(request.user, pk)
    data = post_data(request.POST, CommentForm)
    try:
        saved = services.add_comment(change_id=pk, actor=request.user, data=data)
    except ValidationError as error:
        form = bind_errors(CommentForm(data=data, auto_id="id_comment_%s"), error)
        return _render(request, change, comment_form=form, status=400)
    kind = "Work note" if saved.work_note else "Comment"
    count = saved.mentions.count()
    told = f"; {count} mentioned {'person' if count == 1 else 'people'} notified" if count else ""
    return _done(request, change, f"{kind} added{told}.")


@member_required
@require_POST
def watch(request, pk: int):
    change = _change(request.user, pk)
    try:
        services.watch(change_id=pk, actor=request.user)
    except Conflict as conflict:
        return _render(request, change, status=409, notice=conflict.message)
    return _done(request, change, "You watch this change: its comments and steps reach your inbox.")


@member_required
@require_POST
def unwatch(request, pk: int):
    change = _change(request.user, pk)
    try:
        services.unwatch(change_id=pk, actor=request.user)
    except Conflict as conflict:
        return _render(request, change, status=409, notice=conflict.message)
    return _done(request, change, "You no longer watch this change.")


@member_required
@require_POST
def attach(request, pk: int):
    change = _change(request.user, pk)
    data = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    try:
        saved = services.add_attachment(change_id=pk, actor=request.user, data=data, files=request.FILES)
    except ValidationError as error:
        form = bind_errors(AttachmentForm(data=data, files=request.FILES, auto_id="id_attachment_%s"), error)
        return _render(request, change, attachment_form=form, status=400)
    return _done(request, change, f"Attached {saved.filename} (SHA-256 {saved.sha256}).")


@member_required
@require_GET
def download(request, pk: int, attachment_id: int):
    """The file, to those who may read the change; always as a download, with the policy's content type."""
    change = _change(request.user, pk)
    if not rules.can_download(request.user, change):
        raise PermissionDenied
    attachment = selectors.attachment_of(change.pk, attachment_id)
    if attachment is None:
        raise Http404("No such attachment.")
    return file_response(attachment)


def file_response(attachment) -> FileResponse:
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Content-SHA256"] = attachment.sha256  # the digest the ledger recorded at upload
    return response
