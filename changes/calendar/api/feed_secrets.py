"""Your calendar feed secret over the API: issue one (the plain secret and its URL are answered once,
only its SHA-256 is stored; issuing revokes the previous one) or revoke it, through
changes.calendar.services as on the subscribe page, one ledger entry each."""
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from changemgmt.api.permissions import HasAnyRole
from changemgmt.api.schema import FORBIDDEN, DetailSerializer, ReadModelSerializer
from changes.calendar import services
from changes.calendar.models import CalendarFeedToken

_SECRET = {"id": 6, "created_at": "2026-12-01T09:00:00Z", "revoked_at": None, "active": True}


@extend_schema_serializer(examples=[OpenApiExample("A feed secret", response_only=True, value=_SECRET)])
class FeedSecretSerializer(ReadModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = CalendarFeedToken
        fields = ["id", "created_at", "revoked_at", "active"]
        read_only_fields = fields

    def get_active(self, token) -> bool:
        return token.revoked_at is None


@extend_schema_serializer(examples=[OpenApiExample("Issued", response_only=True, value={
    **_SECRET, "secret": "h3Vq9…", "url": "https://changes.example.com/calendar/feed/h3Vq9…/changes.ics"})])
class IssuedFeedSecretSerializer(FeedSecretSerializer):
    secret = serializers.CharField(help_text="The plain secret: shown this once, never again.")
    url = serializers.CharField(help_text="Your iCalendar feed URL, the secret in it.")

    class Meta(FeedSecretSerializer.Meta):
        fields = [*FeedSecretSerializer.Meta.fields, "secret", "url"]
        read_only_fields = fields


@extend_schema_serializer(examples=[OpenApiExample("Revoked", response_only=True, value={"revoked": 1})])
class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="1 if an active secret was revoked, 0 if there was none.")


@extend_schema_view(
    list=extend_schema(operation_id="calendar_feed_secrets_list",
                       description="Your feed secrets, newest first, without the secrets themselves.",
                       responses={200: FeedSecretSerializer(many=True), 403: FORBIDDEN,
                                  404: OpenApiResponse(DetailSerializer, description="No such page.")}),
)
class FeedSecretViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasAnyRole]
    serializer_class = FeedSecretSerializer
    queryset = CalendarFeedToken.objects.none()  # for schema introspection; get_queryset serves requests

    def get_queryset(self):
        return CalendarFeedToken.objects.filter(user=self.request.user)

    @extend_schema(operation_id="calendar_feed_secrets_issue", request=None,
                   responses={201: IssuedFeedSecretSerializer, 403: FORBIDDEN},
                   description="Issue a new feed secret, revoking the previous one.")
    def create(self, request):
        token, secret = services.issue_feed_token(actor=request.user)
        url = request.build_absolute_uri(reverse("calendar:user-feed", kwargs={"secret": secret}))
        body = {**FeedSecretSerializer(token).data, "secret": secret, "url": url}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="calendar_feed_secrets_revoke", request=None,
                   responses={200: RevokedSerializer, 403: FORBIDDEN},
                   description="Revoke your active feed secret: its URL answers 404 from now on.")
    @action(detail=False, methods=["post"])
    def revoke(self, request):
        return Response({"revoked": services.revoke_feed_token(actor=request.user)})
