"""The inbox: a person's notifications, marking them read, and their email preferences."""
from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from changemgmt.models import Notification, NotificationKind
from changemgmt.notifications import selectors, services
from changemgmt.notifications.forms import EmailPreferencesForm
from changemgmt.web.access import member_required
from changemgmt.web.htmx import redirect_page, unchanged


@member_required
def inbox(request):
    """The inbox; it polls itself (`?since=`) and swaps its list when a notification arrives or is read."""
    version = selectors.inbox_version(request.user)
    if (same := unchanged(request, version)) is not None:
        return same
    return render(request, "notifications/inbox.html",
                  {"page": selectors.inbox_page(request.user, request.GET.get("page")), "version": version,
                   "poll_seconds": settings.LIVE_POLL_SECONDS})


@member_required
def unread(request):
    """The header's unread counter, on every page: it polls here with `?since=<inbox version>` (the
    inbox's own check, read with the user: no query of its own) and is swapped when the version moved."""
    if (same := unchanged(request, selectors.inbox_version(request.user))) is not None:
        return same
    return render(request, "notifications/_unread.html")


@member_required
@require_POST
def open_notification(request, notification_id: int):
    """Mark read and go to the page the notification is about (only a path on this site)."""
    note = get_object_or_404(Notification, pk=notification_id, user=request.user)
    services.mark_read(user=request.user, notification_id=note.pk)
    target = note.url if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) \
        else reverse("inbox:list")
    return redirect_page(request, target)


@member_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    return redirect_page(request, reverse("inbox:list"))


@member_required
def preferences(request):
    if request.method == "POST":
        form = EmailPreferencesForm({"email": [kind for kind in request.POST.getlist("email")
                                               if kind in NotificationKind.values]})
        form.is_valid()
        services.set_email_preferences(user=request.user, enabled_kinds=set(form.cleaned_data.get("email", [])))
        return redirect_page(request, reverse("inbox:preferences"))
    prefs = selectors.email_preferences(request.user)
    rows = [(kind, label, prefs[kind]) for kind, label in NotificationKind.choices]
    return render(request, "notifications/preferences.html", {"rows": rows})
