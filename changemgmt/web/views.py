"""The kernel's own pages: the API tokens page (the "My work" dashboard is changes.dashboard)."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from changemgmt.api.authentication import issue_token, revoke_token
from changemgmt.models import ApiToken
from changemgmt.web.access import member_required


@member_required
def tokens(request):
    """List my API tokens; POST creates one and shows its secret this once (it is never stored)."""
    created = None
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()[:100]
        if not name:
            messages.error(request, "Give the token a name, e.g. the client that will use it.")
            return redirect("tokens")
        token, plain = issue_token(user=request.user, name=name)
        created = {"token": token, "plain": plain}
    rows = list(ApiToken.objects.filter(user=request.user).order_by("-created_at"))
    response = render(request, "web/tokens.html", {"tokens": rows, "created": created})
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
