"""The inbox over the API, for the person calling it only: the same services as the inbox pages
(changemgmt.notifications.services), so reading a notice here or there is one act. Any role may use
it, auditors included, as on the pages: marking one's own inbox read changes no change record."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from changemgmt.api.permissions import HasAnyRole
from changemgmt.api.schema import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, DetailSerializer
from changemgmt.models import Notification, NotificationKind, NotificationPreference
from changemgmt.notifications import selectors, services
from changemgmt.notifications.api import serializers as out

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
KIND_PATTERN = "|".join(NotificationKind.values)


@extend_schema_view(
    list=extend_schema(operation_id="inbox_list", description="Your notifications, newest first.",
                       responses={200: out.NotificationSerializer(many=True), 403: FORBIDDEN,
                                  404: OpenApiResponse(DetailSerializer, description="No such page.")}),
    retrieve=extend_schema(operation_id="inbox_retrieve", responses={200: out.NotificationSerializer, **READ_ERRORS}),
)
class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasAnyRole]
    serializer_class = out.NotificationSerializer
    queryset = Notification.objects.none()  # for schema introspection; get_queryset serves requests
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user)

    @extend_schema(operation_id="inbox_read", request=None,
                   responses={200: out.NotificationSerializer, **READ_ERRORS},
                   description="Mark one of your notifications read (already read: unchanged).")
    @action(detail=True, methods=["post"])
    def read(self, request, pk):
        note = self.get_object()
        services.mark_read(user=request.user, notification_id=note.pk)
        note.refresh_from_db()
        return Response(out.NotificationSerializer(note).data)

    @extend_schema(operation_id="inbox_read_all", request=None, responses={200: out.MarkedSerializer, 403: FORBIDDEN},
                   description="Mark every unread notification of yours read.")
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_read(user=request.user)})


def _preference_rows(user) -> list[dict]:
    prefs = selectors.email_preferences(user)
    return [{"kind": kind, "label": str(label), "email": prefs[kind]} for kind, label in NotificationKind.choices]


@extend_schema_view(
    list=extend_schema(operation_id="inbox_preferences_list",
                       responses={200: out.EmailPreferenceSerializer(many=True), 403: FORBIDDEN}),
    retrieve=extend_schema(operation_id="inbox_preferences_retrieve",
                           responses={200: out.EmailPreferenceSerializer, **READ_ERRORS}),
    update=extend_schema(operation_id="inbox_preferences_update", request=out.EmailPreferenceInput,
                         responses={200: out.EmailPreferenceSerializer, 400: FIELD_ERRORS, **READ_ERRORS},
                         description="Turn e-mail on or off for one kind of notification."),
)
class EmailPreferenceViewSet(viewsets.GenericViewSet):
    """Your e-mail switch per notification kind (no stored switch: on). One row per kind, addressed by kind."""

    permission_classes = [HasAnyRole]
    serializer_class = out.EmailPreferenceSerializer
    queryset = NotificationPreference.objects.none()  # for schema introspection; rows come from the selector
    pagination_class = None
    lookup_field = "kind"
    lookup_value_regex = KIND_PATTERN  # an unknown kind matches no route: the API's JSON 404

    def list(self, request):
        return Response(_preference_rows(request.user))

    def _row(self, request, kind) -> dict:
        return next(row for row in _preference_rows(request.user) if row["kind"] == kind)

    def retrieve(self, request, kind):
        return Response(self._row(request, kind))

    def update(self, request, kind):
        body = out.EmailPreferenceInput(data=request.data)
        body.is_valid(raise_exception=True)
        enabled = {k for k, on in selectors.email_preferences(request.user).items() if on}
        enabled = enabled | {kind} if body.validated_data["email"] else enabled - {kind}
        services.set_email_preferences(user=request.user, enabled_kinds=enabled)
        return Response(self._row(request, kind))
