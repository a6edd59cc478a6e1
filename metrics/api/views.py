"""GET /api/metrics/: the metrics report for a period and filters, for administrators, auditors, managers,
the CTO and the CISO (others 403). A bad or unknown filter is a 400 naming the field."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from changemgmt.api.permissions import HasAnyRole
from changemgmt.api.schema import FIELD_ERRORS, FORBIDDEN
from changes.choices import ChangeType, RiskLevel
from metrics import presenters
from metrics.api.serializers import EXAMPLE, MetricsReportSerializer
from metrics.forms import MetricsFilterForm
from metrics.rules import REFUSAL, may_read_metrics


class MetricsReaders(HasAnyRole):
    message = REFUSAL

    def has_permission(self, request, view):
        return super().has_permission(request, view) and may_read_metrics(request.user)


class MetricsView(APIView):
    permission_classes = [MetricsReaders]

    @extend_schema(
        operation_id="metrics_report",
        parameters=[
            OpenApiParameter("period", description="A month (YYYY-MM) or 30d, 90d, 365d; default the current month."),
            OpenApiParameter("team", int, description="A team's id."),
            OpenApiParameter("service", int, description="A service's id."),
            OpenApiParameter("risk", enum=RiskLevel.values),
            OpenApiParameter("type", enum=ChangeType.values),
        ],
        responses={200: MetricsReportSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
        examples=[EXAMPLE],
    )
    def get(self, request):
        form = MetricsFilterForm(request.query_params, strict=True)
        if not form.is_valid():
            raise serializers.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        report = presenters.cached_build(form.cleaned_data["period"], form.scope())
        return Response(MetricsReportSerializer(report).data)
