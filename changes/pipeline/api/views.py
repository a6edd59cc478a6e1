"""The pipeline API. `POST /api/pipeline/gate/` is the only endpoint a pipeline token may call (least
rights: changemgmt.api.permissions); every answer that is not allow or wait says `decision: deny`, an
unexpected error included (fail closed)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from changemgmt.api.input import SCALAR, TEXT, checked_body
from changemgmt.api.permissions import ReadOnlyForAuditors, is_pipeline_token
from changemgmt.api.schema import CONFLICT, WRITE_ERRORS
from changes.pipeline import services
from changes.pipeline.api import serializers
from changes.pipeline.choices import Decision
from changes.pipeline.services import reports

REFUSAL = serializers.GateRefusalSerializer


class PipelineTokenOnly(BasePermission):
    message = "Only a pipeline token may call the gate: issue one on the API tokens page (administrators)."

    def has_permission(self, request, view):
        return is_pipeline_token(request.auth) and bool(request.user and request.user.is_active)


class GateView(APIView):
    permission_classes = [PipelineTokenOnly]
    pipeline_token_view = True

    @extend_schema(
        operation_id="pipeline_gate", summary="Ask whether an artefact may deploy",
        request=serializers.GateRequestSerializer,
        examples=serializers.EXAMPLES,
        parameters=[OpenApiParameter("Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[200],
                                     description="With `wait`: seconds before asking again.")],
        responses={
            200: OpenApiResponse(serializers.GateDecisionSerializer, description="The decision: allow, wait or deny."),
            400: OpenApiResponse(REFUSAL, description="Bad input (each field named with its rule); deny."),
            401: OpenApiResponse(REFUSAL, description="No, a wrong or a revoked token; deny."),
            403: OpenApiResponse(REFUSAL, description="Not a pipeline token, or not scoped to the service; deny."),
            409: OpenApiResponse(REFUSAL, description="The change can no longer deploy (closed, rejected, "
                                                      "cancelled, deployed, rolled back); deny."),
            500: OpenApiResponse(REFUSAL, description="Unexpected error: deny (fail closed)."),
        },
        description="Asked by a CI/CD pipeline before it deploys. Idempotent per (pipeline, run, environment): "
                    "asking again returns the same decision, with the same `decision_id` and one ledger entry, until "
                    "the change moves. An allow records the digest on the change and carries the signed deploy "
                    "attestation. Only pipeline tokens are accepted. Nothing is written for a refusal.",
    )
    def post(self, request):
        body = checked_body(request.data, {name: TEXT for name in services.FIELDS})
        decision, _new = services.ask_gate(actor=request.auth, data=body)
        response = Response(serializers.GateDecisionSerializer(decision).data)
        if decision.decision == Decision.WAIT:
            response["Retry-After"] = str(decision.retry_after)
        return response

    def handle_exception(self, exc):
        """Fail closed: every refusal and error answers `decision: deny`, with what went wrong."""
        response = super().handle_exception(exc)
        if isinstance(response.data, dict):
            response.data = {"decision": Decision.DENY, **response.data}
        return response


class AllowanceView(APIView):
    permission_classes = [ReadOnlyForAuditors]

    @extend_schema(operation_id="pipeline_several_artefacts", summary="Allow several artefacts",
                   request=serializers.AllowanceRequestSerializer,
                   responses={201: serializers.AllowanceSerializer, **WRITE_ERRORS, 409: CONFLICT},
                   description="Let the change deploy more than one artefact digest (the gate denies a second one "
                               "otherwise): the change's author or owner, operations or an administrator.")
    def post(self, request, pk):
        body = checked_body(request.data, {"reason": TEXT}, reject_unknown=True)
        allowance = services.allow_several_artefacts(change_id=pk, actor=request.user, reason=body.get("reason"))
        return Response(serializers.AllowanceSerializer(allowance).data, status=status.HTTP_201_CREATED)


class PipelineOpensOnly(PipelineTokenOnly):
    message = "Only a pipeline token may open a change here: issue one on the API tokens page (administrators)."


class OpenChangeView(APIView):
    """A pipeline opens its own standard change from the catalog (issue 10 §1)."""

    permission_classes = [PipelineOpensOnly]
    pipeline_token_view = True

    @extend_schema(
        operation_id="pipeline_open_change", summary="Open a standard change from the catalog",
        request=serializers.OpenChangeRequestSerializer, examples=serializers.OPEN_EXAMPLES,
        responses={201: serializers.OpenChangeAnswerSerializer, **WRITE_ERRORS, 409: CONFLICT},
        description="Files a standard change from an active catalog template for one service the token is "
                    "scoped to, submitted and assessed at once: pre-approved (state `testing`). If the template's "
                    "conditions do not hold (a low-risk standard change, the submit and assess gates) nothing is "
                    "written and the answer is 409 with every missing item. Then ask the gate with `change`.",
    )
    def post(self, request):
        body = checked_body(request.data, {**{name: TEXT for name in services.OPEN_OPTIONAL},
                                           "template": SCALAR, "service": TEXT, "planned_start": TEXT,
                                           "planned_end": TEXT})
        change, entry = services.open_standard_change(actor=request.auth, data=body)
        return Response({"id": change.pk, "change": change.reference, "state": change.state,
                         "change_type": change.change_type, "risk_level": change.risk_level,
                         "template": change.template_id, "ledger_seq": entry.seq}, status=status.HTTP_201_CREATED)


class PipelineReportsOnly(PipelineTokenOnly):
    message = "Only a pipeline token may report deployments: issue one on the API tokens page (administrators)."


class DeploymentReportView(APIView):
    """A workflow action: the input serializer only documents the body; `reports.report_deployment` checks it."""

    permission_classes = [PipelineReportsOnly]
    pipeline_token_view = True

    @extend_schema(
        operation_id="pipeline_deployment_report", summary="Report a stage of a rollout",
        request=serializers.DeploymentReportRequestSerializer, examples=serializers.REPORT_EXAMPLES,
        responses={
            200: OpenApiResponse(serializers.DeploymentAnswerSerializer, description="continue, hold or roll_back."),
            400: OpenApiResponse(description="Bad input or a stage out of order (each field named with its rule)."),
            403: OpenApiResponse(description="Not a pipeline token, or not scoped to the service."),
            409: OpenApiResponse(serializers.UnauthorizedSerializer,
                                 description="No change allows this artefact here: the "
                                 "unauthorized change IS recorded (the one refusal that writes). Or: the change is "
                                 "in the wrong state, or its gate did not allow this digest (nothing written)."),
        },
        description="Each stage of a progressive rollout, in the policy's order, with its health. The first "
                    "deploys the change; health above a critical budget rolls it back automatically; above a "
                    "warning budget the rollout holds (report the stage again); 100 % healthy opens the verify "
                    "step. One ledger entry per report.",
    )
    def post(self, request):
        body = checked_body(request.data, {**{name: TEXT for name in reports.TEXT_FIELDS},
                                           **{name: SCALAR for name in reports.NUMBER_FIELDS}})
        try:
            answer = reports.report_deployment(actor=request.auth, data=body)
        except reports.Unauthorized as refusal:
            record = refusal.record
            return Response({"unauthorized": True, "detail": str(refusal), "detected_at": record.detected_at,
                             "ledger_seq": record.ledger_entry.seq}, status=status.HTTP_409_CONFLICT)
        report = answer.report
        return Response({"action": report.action, "next_stage": answer.next_stage, "reasons": report.reasons,
                         "change": report.change.reference, "change_state": report.change.state,
                         "stage": report.stage, "ledger_seq": report.ledger_entry.seq})
