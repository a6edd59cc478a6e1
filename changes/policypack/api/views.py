"""The policy pack over the API: export (anyone with a role reads the policy), preview with its dry run
and import (administrators; the same kernel write path as the page and `manage.py policy import`)."""
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from changemgmt import policy, policy_pack
from changemgmt.api.permissions import AdministratorsWrite
from changemgmt.api.schema import CONFLICT, FIELD_ERRORS, FORBIDDEN
from changemgmt.models import PolicySetting
from changes.policypack import selectors
from changes.policypack.api.serializers import (
    ImportResultSerializer,
    ImportSerializer,
    PackSerializer,
    PreviewSerializer,
)

EDIT_EXAMPLE = OpenApiExample("Dry run of one edit", request_only=True, value={
    "format": policy_pack.FORMAT, "format_version": policy_pack.FORMAT_VERSION,
    "settings": {"approval_matrix": {"low": ["peer", "manager"], "medium": ["peer", "manager"],
                                     "high": ["peer", "manager", "security", "cab"],
                                     "critical": ["peer", "manager", "security", "cab", "cto"]}}})


def _body(data) -> dict:
    return policy_pack.read_pack(data if isinstance(data, dict) else None)


class PolicyPackViewSet(viewsets.GenericViewSet):
    permission_classes = [AdministratorsWrite]
    queryset = PolicySetting.objects.none()
    pagination_class = None

    @extend_schema(operation_id="policy_pack_export", responses={200: PackSerializer, 403: FORBIDDEN},
                   description="The whole policy in force as a versioned pack (format, format_version, the policy "
                               "revision read, every setting).")
    def export(self, request):
        return Response(policy_pack.export_pack())

    @extend_schema(operation_id="policy_pack_preview", request=PackSerializer,
                   responses={200: PreviewSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN}, examples=[EDIT_EXAMPLE],
                   description="What importing the pack would do, writing nothing: the diff against the policy in "
                               "force, every value the policy schema would refuse (`problems`), and — when none is "
                               "refused — the dry run over open changes: which would need more approvals, fall "
                               "outside windows or lead time, or be held by a hard freeze. A pack of one key is the "
                               "dry run of that edit. A malformed pack is a 400 naming `format`, `format_version` "
                               "or `settings`.")
    def preview(self, request):
        return Response(PreviewSerializer(selectors.preview(_body(request.data))).data)

    @extend_schema(operation_id="policy_pack_import", request=ImportSerializer,
                   responses={200: ImportResultSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 409: CONFLICT},
                   description="Import the pack, all or nothing (administrators): every changed value is checked "
                               "as an edit in the admin is, against the whole policy with the pack applied; one "
                               "refused value refuses the import (400, messages on `settings` naming each key) and "
                               "nothing is written. One `policy.imported` ledger entry lists every change; the "
                               "revision rises by one. With `expected_revision`, 409 when the policy changed since.")
    def import_pack(self, request):
        settings = _body(request.data)
        expected = request.data.get("expected_revision") if isinstance(request.data, dict) else None
        if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int) or expected < 0):
            raise ValidationError({"expected_revision": "Give the revision as a whole number."})
        changed = policy_pack.import_pack(settings=settings, actor=request.user, expected_revision=expected,
                                          source="api")
        return Response({"revision": policy.current_revision(), "changed": list(changed)})
