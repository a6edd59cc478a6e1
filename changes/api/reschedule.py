"""`POST /api/changes/{id}/reschedule/`: a new plan for a change before it deploys (for instance one
whose approved schedule passed, or that a freeze caught). The service re-runs lead time, window,
freeze and conflict checks and, where the approvals depend on the plan, asks for them again."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from changemgmt.api.input import checked_body, shapes_of_form
from changemgmt.api.schema import CONFLICT, WRITE_ERRORS, request_schema
from changes import services
from changes.api.serializers import ChangeSavedSerializer
from changes.api.views import ChangeAPIView, change_json
from changes.forms import RescheduleForm

RescheduleBody = request_schema(RescheduleForm, "RescheduleInput", required=("planned_start", "planned_end", "reason"),
                                doc="The new planned start and end (ISO 8601; naive times are organisation time) "
                                    "and why the plan moves.")


class RescheduleView(ChangeAPIView, APIView):
    @extend_schema(operation_id="changes_reschedule", summary="Reschedule", request=RescheduleBody,
                   responses={200: ChangeSavedSerializer, **WRITE_ERRORS, 409: CONFLICT},
                   description="Move the change's plan (author, owner, operations or an administrator; from "
                               "request to ready). 409 lists every item the new plan misses (lead time counted "
                               "from now, deployment window, freezes); nothing is written then. `notices` says "
                               "when the change went back to approval for an approval the new plan needs.")
    def post(self, request, pk):
        body = checked_body(request.data, shapes_of_form(RescheduleForm))
        saved = services.reschedule(change_id=pk, actor=request.user, planned_start=body.get("planned_start"),
                                    planned_end=body.get("planned_end"), reason=body.get("reason"))
        return Response({**change_json(saved.change.pk), "notices": list(saved.notices)})
