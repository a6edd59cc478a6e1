"""The review follow-ups over the API: a change's follow-ups, and answering one (the page's service)."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FORBIDDEN, NOT_FOUND, WRITE_ERRORS
from changes.models import ChangeRequest
from changes.review import selectors, services
from changes.review.api.serializers import AnswerInput, FollowUpSerializer
from changes.review.models import ReviewFollowUp


class ReviewFollowUpViewSet(viewsets.GenericViewSet):
    permission_classes = [ReadOnlyForAuditors]
    serializer_class = FollowUpSerializer
    queryset = ReviewFollowUp.objects.none()
    pagination_class = None

    @extend_schema(operation_id="changes_review_follow_ups_list",
                   responses={200: FollowUpSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
                   description="The change's post-implementation review follow-ups (24 hours and 1 week after "
                               "deployment, policy `pir_follow_up_hours`); none before it is deployed.")
    def list(self, request, change_id: int):
        get_object_or_404(ChangeRequest, pk=change_id)
        return Response(FollowUpSerializer(selectors.follow_ups_of(change_id), many=True).data)

    @extend_schema(operation_id="changes_review_follow_ups_answer", request=AnswerInput,
                   responses={200: FollowUpSerializer, **WRITE_ERRORS, 409: CONFLICT},
                   examples=[OpenApiExample("No issues", value={"issues_found": False, "notes": ""},
                                            request_only=True),
                             OpenApiExample("Issues", value={"issues_found": True,
                                                             "notes": "Checkout errors for 20 minutes"},
                                            request_only=True)],
                   description="Answer one follow-up, once (409 the second time). Notes are required when "
                               "`issues_found` is true (400 on `notes`). The change's requester or owner, "
                               "operations, a manager or an administrator answer; auditors never (403).")
    def answer(self, request, follow_up_id: int):
        body = AnswerInput(data=request.data)
        body.is_valid(raise_exception=True)
        follow_up = services.answer_follow_up(follow_up_id=follow_up_id, actor=request.user, **body.validated_data)
        return Response(FollowUpSerializer(follow_up).data)
