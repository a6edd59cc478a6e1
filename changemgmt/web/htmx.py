"""The one htmx helper: it decides whether a response is a fragment (an htmx request that targets
part of the page) or the full page (a normal browser request, which must work without JavaScript)."""
from django.http import HttpResponse
from django.shortcuts import redirect, render


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page(request, template: str, context: dict, *, fragment: str | None = None, status: int = 200):
    """Render `fragment` for htmx requests when one is given, else the full `template`."""
    name = fragment if fragment and is_htmx(request) else template
    return render(request, name, context, status=status)


def redirect_page(request, url: str):
    """After a successful POST: htmx follows HX-Redirect (a full page load), browsers a 303."""
    if is_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    response = redirect(url)
    response.status_code = 303
    return response


def unchanged(request, version: str) -> HttpResponse | None:
    """Live parts of pages (My approvals, the inbox) poll their own page with `?since=<version>`:
    while nothing moved the answer is an empty 204 (htmx swaps nothing), else None and the view
    renders the page, of which htmx keeps only the live part (`hx-select`)."""
    if is_htmx(request) and request.GET.get("since") == version:
        return HttpResponse(status=204)
    return None
