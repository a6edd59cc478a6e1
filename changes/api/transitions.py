"""Transitions over the API: what each step out of the current state still misses, and one endpoint
per transition (`POST …/transitions/<name>/`) so the schema documents each one's own input."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from changemgmt.api.input import OBJECT, checked_body, shapes_of_form
from changemgmt.api.schema import CONFLICT, FORBIDDEN, NOT_FOUND, WRITE_ERRORS
from changes import rules, services
from changes.api.serializers import TRANSITION_BODIES, ChangeDetailSerializer, TransitionSerializer
from changes.api.views import ChangeAPIView, change_detail, change_json
from changes.transitions import TRANSITIONS


class TransitionListView(ChangeAPIView, APIView):
    @extend_schema(operation_id="changes_transitions_list", responses={200: TransitionSerializer(many=True),
                                                                       403: FORBIDDEN, 404: NOT_FOUND},
                   description="Every transition out of the change's current state, whether you may take it, "
                               "and every item its gate still misses (with the policy reference).")
    def get(self, request, pk):
        change = change_detail(pk)
        rows = []
        for name in services.available_transitions(change):
            permitted = rules.can_transition(request.user, change, name)
            missing = [item.as_dict() for item in services.transition_missing(change, name)]
            rows.append({"name": name, "label": TRANSITIONS[name].label, "permitted": permitted,
                         "allowed": permitted and not missing, "missing": missing})
        return Response(TransitionSerializer(rows, many=True).data)


class TransitionRunView(ChangeAPIView, APIView):
    """Base of the per-transition endpoints; `name` is set by `transition_view`."""

    name = ""

    def post(self, request, pk):
        shapes = shapes_of_form(TRANSITIONS[self.name].form, review_answers=OBJECT)
        body = checked_body(request.data, shapes)
        services.run_transition(change_id=pk, name=self.name, actor=request.user, data=body)
        return Response(change_json(pk))


def transition_view(name: str):
    """A view class for one transition, documented with its own request body."""
    spec = TRANSITIONS[name]
    body = TRANSITION_BODIES.get(name)
    schema = extend_schema(
        operation_id=f"changes_transition_{name}", summary=spec.label, request=body,
        responses={200: ChangeDetailSerializer, **WRITE_ERRORS, 409: CONFLICT},
        description=f"{spec.label}. 409 when the gate does not hold (every missing item is listed) or the change "
                    "is not in a state this transition leaves from; nothing is written then.",
    )

    def post(self, request, pk):
        return TransitionRunView.post(self, request, pk)

    return type(f"{name.title().replace('_', '')}TransitionView", (TransitionRunView,),
                {"name": name, "post": schema(post), "__doc__": spec.label,
                 "__module__": __name__})
