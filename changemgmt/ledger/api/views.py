"""API for auditors and administrators: signed tree heads, inclusion proofs and consistency proofs
of the ledger's Merkle tree. Read-only; the bodies are exactly what changemgmt/ledger/merkle_verify.py
checks, so an auditor saves a response and runs the verifier on it."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from changemgmt.api.permissions import HasAnyRole
from changemgmt.api.schema import FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from changemgmt.ledger import tree_heads as merkle_heads
from changemgmt.ledger.models import TreeHead
from changemgmt.roles import Role, has_role

HEX = "lowercase hex SHA-256"


class AuditorsAndAdministrators(HasAnyRole):
    message = "Only auditors and administrators may read the ledger's Merkle proofs."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and has_role(request.user, Role.AUDITOR, Role.ADMINISTRATOR)


class TreeHeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = TreeHead
        fields = ["tree_size", "root_hash", "timestamp", "algorithm", "key_id", "signature"]


class ExportedEntrySerializer(serializers.Serializer):
    """Documentation only: a ledger entry as `manage.py ledger export` writes it."""

    seq = serializers.IntegerField()
    recorded_at = serializers.CharField()
    actor = serializers.CharField()
    action = serializers.CharField()
    subject = serializers.CharField()
    payload = serializers.JSONField()
    prev_hash = serializers.CharField()
    entry_hash = serializers.CharField()


class InclusionProofSerializer(serializers.Serializer):
    """Documentation only: the body of the inclusion-proof endpoint."""

    seq = serializers.IntegerField()
    leaf_index = serializers.IntegerField(help_text="seq - 1")
    tree_size = serializers.IntegerField()
    leaf_hash = serializers.CharField(help_text="SHA-256 of 0x00 and the 32 bytes of entry_hash (hex)")
    proof = serializers.ListField(child=serializers.CharField(), help_text=f"RFC 9162 audit path, each {HEX}")
    entry = ExportedEntrySerializer()
    tree_head = TreeHeadSerializer(allow_null=True, help_text="The signed head of this tree size, if one exists")


class ConsistencyProofSerializer(serializers.Serializer):
    """Documentation only: the body of the consistency-proof endpoint."""

    first = serializers.IntegerField()
    second = serializers.IntegerField()
    proof = serializers.ListField(child=serializers.CharField(), help_text=f"RFC 9162 consistency proof, each {HEX}")


class TreeHeadListView(generics.ListAPIView):
    """Signed tree heads, largest tree first."""

    permission_classes = [AuditorsAndAdministrators]
    serializer_class = TreeHeadSerializer
    queryset = TreeHead.objects.order_by("-tree_size")

    @extend_schema(operation_id="ledger_tree_heads_list",
                   responses={200: TreeHeadSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InclusionProofView(APIView):
    permission_classes = [AuditorsAndAdministrators]

    @extend_schema(
        operation_id="ledger_entry_inclusion_proof",
        parameters=[OpenApiParameter("tree_size", int, description="Default: the latest signed tree head's size")],
        responses={200: InclusionProofSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, seq: int):
        """Entry `seq` is in the tree of `tree_size` entries: the proof, the entry and the head."""
        return Response(merkle_heads.inclusion_document(seq, request.query_params))


class ConsistencyProofView(APIView):
    permission_classes = [AuditorsAndAdministrators]

    @extend_schema(
        operation_id="ledger_consistency_proof",
        parameters=[OpenApiParameter("first", int, required=True, description="The older tree size"),
                    OpenApiParameter("second", int, required=True, description="The newer tree size")],
        responses={200: ConsistencyProofSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def get(self, request):
        """The tree of `first` entries is the start of the tree of `second` entries."""
        return Response(merkle_heads.consistency_document(request.query_params))
