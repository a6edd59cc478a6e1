"""Webhook subscriptions and their delivery log over the API. Views parse input, call one service or
selector and render; permission is checked here (administrators write, auditors read) and again by the
services."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from changemgmt.api.input import LIST, TEXT, checked_body
from changemgmt.api.permissions import HasAnyRole
from changemgmt.api.schema import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, WRITE_ERRORS
from changemgmt.webhooks import rules, selectors, services
from changemgmt.webhooks.api import serializers as doc
from changemgmt.webhooks.models import WebhookDelivery, WebhookSubscription

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
SHAPES = {"url": TEXT, "description": TEXT, "event_types": LIST}


class WebhookAccess(HasAnyRole):
    message = "Only administrators manage webhooks; auditors may read them."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        self.message = WebhookAccess.message
        return rules.can_manage(request.user) or (request.method in SAFE_METHODS and rules.can_read(request.user))


class WebhookView(APIView):
    permission_classes = [WebhookAccess]


class SubscriptionListView(generics.GenericAPIView):
    permission_classes = [WebhookAccess]
    serializer_class = doc.SubscriptionSerializer

    def get_queryset(self):
        return selectors.subscriptions()

    @extend_schema(operation_id="webhooks_subscriptions_list",
                   responses={200: doc.SubscriptionSerializer(many=True), **READ_ERRORS})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(doc.SubscriptionSerializer(page, many=True).data)

    @extend_schema(operation_id="webhooks_subscriptions_create", request=doc.SubscriptionBody,
                   examples=doc.EXAMPLES, responses={201: doc.SubscriptionWithSecretSerializer, **WRITE_ERRORS},
                   description="Subscribe a receiver. The answer carries the signing secret, shown this once. A URL "
                               "whose host resolves to a private, loopback, link-local or reserved address is "
                               "refused with 400 on `url`.")
    def post(self, request):
        subscription = services.create_subscription(actor=request.user, data=checked_body(request.data, SHAPES))
        return Response(doc.SubscriptionWithSecretSerializer(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionDetailView(WebhookView):
    @extend_schema(operation_id="webhooks_subscriptions_retrieve",
                   responses={200: doc.SubscriptionSerializer, **READ_ERRORS})
    def get(self, request, pk):
        return Response(doc.SubscriptionSerializer(get_object_or_404(WebhookSubscription, pk=pk)).data)

    @extend_schema(operation_id="webhooks_subscriptions_partial_update", request=doc.SubscriptionBody(partial=True),
                   responses={200: doc.SubscriptionSerializer, **WRITE_ERRORS})
    def patch(self, request, pk):
        get_object_or_404(WebhookSubscription, pk=pk)
        subscription = services.update_subscription(actor=request.user, subscription_id=pk,
                                                    data=checked_body(request.data, SHAPES))
        return Response(doc.SubscriptionSerializer(subscription).data)

    @extend_schema(operation_id="webhooks_subscriptions_destroy", responses={204: None, **READ_ERRORS})
    def delete(self, request, pk):
        get_object_or_404(WebhookSubscription, pk=pk)
        services.delete_subscription(actor=request.user, subscription_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RotateSecretView(WebhookView):
    @extend_schema(operation_id="webhooks_subscriptions_rotate_secret", request=None,
                   responses={200: doc.SubscriptionWithSecretSerializer, **READ_ERRORS},
                   description="A new secret signs every request from now on; the answer shows it this once.")
    def post(self, request, pk):
        get_object_or_404(WebhookSubscription, pk=pk)
        subscription = services.rotate_secret(actor=request.user, subscription_id=pk)
        return Response(doc.SubscriptionWithSecretSerializer(subscription).data)


class DisableView(WebhookView):
    @extend_schema(operation_id="webhooks_subscriptions_disable", request=doc.DisableBody,
                   responses={200: doc.SubscriptionSerializer, **WRITE_ERRORS, 409: CONFLICT})
    def post(self, request, pk):
        get_object_or_404(WebhookSubscription, pk=pk)
        body = checked_body(request.data, {"reason": TEXT}, reject_unknown=True)
        subscription = services.disable_subscription(actor=request.user, subscription_id=pk,
                                                     reason=body.get("reason"))
        return Response(doc.SubscriptionSerializer(subscription).data)


class EnableView(WebhookView):
    @extend_schema(operation_id="webhooks_subscriptions_enable", request=None,
                   responses={200: doc.SubscriptionSerializer, **READ_ERRORS, 409: CONFLICT},
                   description="Send again: pending deliveries are due at once.")
    def post(self, request, pk):
        get_object_or_404(WebhookSubscription, pk=pk)
        return Response(doc.SubscriptionSerializer(services.enable_subscription(actor=request.user,
                                                                                subscription_id=pk)).data)


class DeliveryListView(generics.GenericAPIView):
    permission_classes = [WebhookAccess]
    serializer_class = doc.DeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model without a request
            return WebhookDelivery.objects.none()
        return selectors.deliveries_of(self.kwargs["pk"])

    @extend_schema(operation_id="webhooks_subscriptions_deliveries",
                   responses={200: doc.DeliverySerializer(many=True), **READ_ERRORS},
                   description="The delivery log, newest first: status, attempts, last answer and response time.")
    def get(self, request, pk):
        get_object_or_404(WebhookSubscription, pk=pk)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(doc.DeliverySerializer(page, many=True).data)


class RedeliverView(WebhookView):
    @extend_schema(operation_id="webhooks_deliveries_redeliver", request=None,
                   responses={200: doc.DeliverySerializer, 400: FIELD_ERRORS, **READ_ERRORS, 409: CONFLICT},
                   description="Send this delivery again now (same webhook-id), whether it was delivered or not.")
    def post(self, request, pk):
        get_object_or_404(WebhookDelivery, pk=pk)
        services.redeliver(actor=request.user, delivery_id=pk)
        return Response(doc.DeliverySerializer(selectors.deliveries_of(
            WebhookDelivery.objects.values_list("subscription_id", flat=True).get(pk=pk)).get(pk=pk)).data)
