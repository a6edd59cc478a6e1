"""The inbox: a person's notifications, marking them read, and their email preferences."""
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from changemgmt import notifications
from changemgmt.models import Notification, NotificationKind
from changemgmt.web.access import member_required
from changemgmt.web.htmx import redirect_page


@member_required
def inbox(request):
    page = Paginator(Notification.objects.filter(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@member_required
@require_POST
def open_notification(request, notification_id: int):
    """Mark read and go to the page the notification is about (only a path on this site)."""
    note = get_object_or_404(Notification, pk=notification_id, user=request.user)
    notifications.mark_read(user=request.user, notification_id=note.pk)
    target = note.url if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) \
        else reverse("inbox:list")
    return redirect_page(request, target)


@member_required
@require_POST
def mark_all_read(request):
    notifications.mark_read(user=request.user)
    return redirect_page(request, reverse("inbox:list"))


@member_required
def preferences(request):
    if request.method == "POST":
        enabled = set(request.POST.getlist("email")) & set(NotificationKind.values)
        notifications.set_email_preferences(user=request.user, enabled_kinds=enabled)
        return redirect_page(request, reverse("inbox:preferences"))
    prefs = notifications.email_preferences(request.user)
    rows = [(kind, label, prefs[kind]) for kind, label in NotificationKind.choices]
    return render(request, "notifications/preferences.html", {"rows": rows})
