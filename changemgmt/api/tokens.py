"""API tokens over the API: the API tokens page's resource (`/tokens/`), so an integrator never needs the
page. Each user lists, issues and revokes their own tokens through changemgmt.people_services (the page's
functions, one ledger entry each); a new token's secret is in the 201 answer only. An administrator issues
pipeline tokens scoped to services, as on the page. Pipeline tokens themselves are refused here (least
rights: changemgmt.api.permissions)."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from changemgmt.api.permissions import HasAnyRole
from changemgmt.api.schema import FORBIDDEN, NOT_FOUND, WRITE_ERRORS, DetailSerializer
from changemgmt.api.strict import StrictSerializer, Text
from changemgmt.models import ApiToken
from changemgmt.models.tokens import TokenKind
from changemgmt.people_services import issue_token, revoke_token

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
_ROW = {"id": 7, "name": "payments deploy", "prefix": "3fa91c0e", "kind": "pipeline", "services": ["payments-api"],
        "created_at": "2026-12-01T09:00:00Z", "last_used_at": "2026-12-01T11:05:00Z", "revoked_at": None,
        "active": True}


class TokenSerializer(serializers.ModelSerializer):
    services = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True,
                                            help_text="Pipeline tokens: the services they may gate.")
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "kind", "services", "created_at", "last_used_at", "revoked_at", "active"]
        read_only_fields = fields


class IssuedTokenSerializer(TokenSerializer):
    token = serializers.CharField(help_text="cm_<prefix>_<secret>: send it as `Authorization: Bearer …`. Shown "
                                            "this once, never stored.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TokenInput(StrictSerializer):
    name = Text(help_text="1-100 characters, e.g. the client that uses it.")
    kind = serializers.ChoiceField(choices=TokenKind.choices, required=False, default=TokenKind.PERSONAL,
                                   help_text="personal: acts as you; pipeline (administrators): the gate only.")
    services = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2 ** 63 - 1),
                                     required=False, default=list, help_text="Pipeline tokens: service ids.")


EXAMPLES = [
    OpenApiExample("A pipeline token", request_only=True, value={"name": "payments deploy", "kind": "pipeline",
                                                                  "services": [3]}),
    OpenApiExample("Issued", response_only=True, status_codes=["201"], value={
        **_ROW, "last_used_at": None, "token": "cm_3fa91c0e_q7Zx0…"}),
    OpenApiExample("A token", response_only=True, status_codes=["200"], value=_ROW),
]


@extend_schema_view(
    list=extend_schema(operation_id="tokens_list", description="Your API tokens, newest first (no secrets).",
                       examples=EXAMPLES[2:], responses={200: TokenSerializer(many=True), 403: FORBIDDEN,
                                                         404: OpenApiResponse(DetailSerializer,
                                                                              description="No such page.")}),
    retrieve=extend_schema(operation_id="tokens_retrieve", examples=EXAMPLES[2:],
                           responses={200: TokenSerializer, **READ_ERRORS}),
)
class TokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasAnyRole]
    serializer_class = TokenSerializer
    queryset = ApiToken.objects.none()  # for schema introspection; get_queryset serves requests
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).prefetch_related("services").order_by("-created_at",
                                                                                                      "-id")

    @extend_schema(operation_id="tokens_create", request=TokenInput, examples=EXAMPLES[:2],
                   responses={201: IssuedTokenSerializer, **WRITE_ERRORS},
                   description="Issue a token (one ledger entry). The answer carries the secret this once. A "
                               "pipeline token (administrators) names the ids of the services it may gate.")
    def create(self, request):
        body = TokenInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        token, plain = issue_token(user=request.user, name=data["name"], kind=data["kind"],
                                   service_ids=data["services"])
        token = self.get_queryset().get(pk=token.pk)
        token.token = plain
        response = Response(IssuedTokenSerializer(token).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(operation_id="tokens_revoke", request=None, examples=EXAMPLES[2:],
                   responses={200: TokenSerializer, **READ_ERRORS},
                   description="Revoke one of your tokens: clients using it are refused from then on (one ledger "
                               "entry; revoking again changes nothing).")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk):
        token = get_object_or_404(self.get_queryset(), pk=pk)
        revoke_token(token_id=token.pk, actor=request.user)
        return Response(TokenSerializer(self.get_queryset().get(pk=token.pk)).data)
