"""`POST /api/approvals/grant-selected/`: "Grant selected" of My approvals over the API — several
slots granted with one reason through approvals.services.bulk (each slot decided by
approvals.services.decide on its own), with a result per slot."""
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.choices import DecisionChannel
from approvals.services.bulk import grant_selected
from changemgmt.api.input import MAX_ID
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import WRITE_ERRORS
from changemgmt.api.strict import StrictSerializer, Text, validated


@extend_schema_serializer(examples=[OpenApiExample("Grant three", request_only=True, value={
    "slots": [101, 102, 107], "reason": "Reviewed in the Tuesday sync"})])
class GrantSelectedInput(StrictSerializer):
    slots = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                  help_text="Approval slot ids (as GET /api/approvals/mine/ lists them), in order.")
    reason = Text(allow_blank=True, help_text="Recorded on each grant (required).")


class GrantedSerializer(serializers.Serializer):
    slot = serializers.IntegerField(help_text="The slot's id.")
    label = serializers.CharField(help_text="The change's reference and the approval's role.")


class GrantRefusedSerializer(GrantedSerializer):
    reason = serializers.CharField(help_text="Why this slot was not granted (nothing was written for it).")


@extend_schema_serializer(examples=[OpenApiExample("Two granted, one refused", response_only=True, value={
    "granted": [{"slot": 101, "label": "CHG-000041 Peer review"}, {"slot": 102, "label": "CHG-000042 Peer review"}],
    "refused": [{"slot": 107, "label": "CHG-000043 Manager",
                 "reason": "Only a manager may decide a manager approval."}]})])
class GrantSelectedResultSerializer(serializers.Serializer):
    granted = GrantedSerializer(many=True, help_text="Slots granted, in the order given.")
    refused = GrantRefusedSerializer(many=True, help_text="Slots refused, each with the reason.")


class GrantSelectedView(APIView):
    permission_classes = [ReadOnlyForAuditors]

    @extend_schema(operation_id="approvals_grant_selected", summary="Grant several approvals",
                   request=GrantSelectedInput, responses={200: GrantSelectedResultSerializer, **WRITE_ERRORS},
                   description="My approvals' \"Grant selected\": each slot is granted with the one reason through "
                               "the same decision as POST /api/approvals/{slot_id}/decide/ (separation of duties, "
                               "CAB slots, state), on its own. A refused slot is listed with the reason and nothing "
                               "is written for it; the others go ahead. No slot or no reason is a 400 doing nothing.")
    def post(self, request):
        body = validated(GrantSelectedInput, request.data)
        outcome = grant_selected(actor=request.user, slot_ids=body["slots"], reason=body["reason"],
                                 channel=DecisionChannel.API)
        return Response(GrantSelectedResultSerializer({
            "granted": [{"slot": item.slot_id, "label": item.label} for item in outcome.granted],
            "refused": [{"slot": item.slot_id, "label": item.label, "reason": item.reason} for item in outcome.refused],
        }).data)
