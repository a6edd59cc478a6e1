"""The kernel's own pages: the API tokens page (the "My work" dashboard is changes.dashboard)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from changemgmt.models import ApiToken
from changemgmt.models.tokens import TokenKind
from changemgmt.people_services import issue_token, revoke_token
from changemgmt.refusals import describe
from changemgmt.roles import Role, has_role
from changemgmt.web.access import member_required


@member_required
def tokens(request):
    """List my API tokens; POST creates one and shows its secret this once (it is never stored).
    Administrators may issue a pipeline token instead, scoped to services (it only calls the gate)."""
    created = None
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()[:100]
        if not name:
            messages.error(request, "Give the token a name, e.g. the client that will use it.")
            return redirect("tokens")
        try:
            token, plain = issue_token(user=request.user, name=name,
                                       kind=request.POST.get("kind") or TokenKind.PERSONAL,
                                       service_ids=request.POST.getlist("services"))
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, describe(exc))
            return redirect("tokens")
        created = {"token": token, "plain": plain}
    rows = list(ApiToken.objects.filter(user=request.user).prefetch_related("services").order_by("-created_at"))
    # The services a pipeline token may be scoped to: the kernel reaches the app's model through the
    # token's lazy relation ("changes.Service") rather than importing a layer above it.
    service_model = ApiToken._meta.get_field("services").related_model
    services = service_model.objects.order_by("name") if has_role(request.user, Role.ADMINISTRATOR) else None
    response = render(request, "web/tokens.html", {"tokens": rows, "created": created, "services": services})
    response["Cache-Control"] = "no-store"
    return response


@member_required
@require_POST
def revoke(request, token_id: int):
    try:
        revoke_token(token_id=token_id, actor=request.user)
    except ApiToken.DoesNotExist as exc:
        raise Http404("No such token of yours.") from exc
    messages.success(request, "Token revoked: clients using it are refused from now on.")
    return redirect("tokens")


@member_required
def shortcuts(request):
    """The keyboard shortcuts (static/js/shortcuts.js), listed; `?` on any page opens this."""
    return render(request, "help/shortcuts.html")
