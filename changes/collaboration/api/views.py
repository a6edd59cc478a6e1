"""The collaboration panel over the API: comments and attachments are resources of a change (list,
create); watch and unwatch are workflow actions; a download is a read. Views parse input, call one
service of changes.collaboration.services, and render with the serializers (operation ids pinned)."""
from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from changemgmt.api.input import checked_body, shapes_of_form
from changemgmt.api.parsers import JSONParser
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FORBIDDEN, NOT_FOUND, WRITE_ERRORS, DetailSerializer
from changes import rules as change_rules
from changes.collaboration import selectors, services
from changes.collaboration.api import serializers as doc
from changes.collaboration.forms import CommentForm
from changes.collaboration.views import file_response
from changes.models import ChangeRequest

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
COMMENT_SHAPES = shapes_of_form(CommentForm)


def _change(request, pk) -> ChangeRequest:
    change = ChangeRequest.objects.filter(pk=pk).only("id", "title", "state", "updated_at").first()
    if change is None:
        raise ChangeRequest.DoesNotExist("No such change.")
    if not change_rules.can_view(request.user, change):
        raise PermissionDenied
    return change


# Deny by default (a role is needed; auditors read only); whole lists, no pages. No class docstrings
# below: drf-spectacular would make them the description of every operation of the class.
class CollaborationViewSet(viewsets.GenericViewSet):
    permission_classes = [ReadOnlyForAuditors]
    pagination_class = None
    filter_backends = []


class CommentViewSet(CollaborationViewSet):
    @extend_schema(operation_id="changes_comments_list",
                   responses={200: doc.CommentSerializer(many=True), **READ_ERRORS},
                   description="The change's comments, oldest first. Work notes are included for everyone but "
                               "requesters.")
    def list(self, request, pk):
        change = _change(request, pk)
        return Response(doc.CommentSerializer(selectors.comments_for(change, request.user), many=True).data)

    @extend_schema(operation_id="changes_comments_create", request=doc.CommentBody, examples=doc.COMMENT_EXAMPLES,
                   responses={201: doc.CommentSerializer, **WRITE_ERRORS},
                   description="Comment on a change (or write a work note). Each @username is notified (inbox and "
                               "e-mail); an unknown one is refused with 400 on `body` and nothing is written. "
                               "Watchers are told; you start watching the change. One ledger entry.")
    def create(self, request, pk):
        body = checked_body(request.data, COMMENT_SHAPES, reject_unknown=True)
        comment = services.add_comment(change_id=pk, actor=request.user, data=body)
        return Response(doc.CommentSerializer(selectors.comments_for(comment.change, request.user).get(pk=comment.pk))
                        .data, status=status.HTTP_201_CREATED)


class AttachmentViewSet(CollaborationViewSet):
    # JSON is parsed too, only so that the session's CSRF check (which reads the body) refuses a bad
    # session write with 403 before the upload's 415 for anything but multipart/form-data.
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(operation_id="changes_attachments_list",
                   responses={200: doc.AttachmentSerializer(many=True), **READ_ERRORS},
                   description="The change's files, oldest first, each with its SHA-256 (also in the ledger).")
    def list(self, request, pk):
        change = _change(request, pk)
        return Response(doc.AttachmentSerializer(selectors.attachments_for(change), many=True).data)

    @extend_schema(operation_id="changes_attachments_create", request={"multipart/form-data": doc.AttachmentBody},
                   examples=doc.ATTACHMENT_EXAMPLES,
                   responses={201: doc.AttachmentSerializer, **WRITE_ERRORS, 415: OpenApiResponse(
                       DetailSerializer, description="The body is not multipart/form-data.")},
                   description="Attach a file (multipart/form-data, field `file`). Larger than the `attachments` "
                               "policy's `max_size_mb`, or of a type it does not list: 400 on `file`, nothing "
                               "stored. The ledger entry records its name, size and SHA-256.")
    def create(self, request, pk):
        if not request.content_type.startswith("multipart/form-data"):
            raise UnsupportedMediaType(request.content_type)
        data = {key: value for key, value in request.data.items() if key not in request.FILES}
        attachment = services.add_attachment(change_id=pk, actor=request.user, data=data, files=request.FILES)
        return Response(doc.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="changes_attachments_download",
                   responses={(200, "*/*"): OpenApiResponse(
                       OpenApiTypes.BINARY, description="The file, as a download, with the content type the "
                                                        "attachments policy gives its extension; `X-Content-SHA256` "
                                                        "repeats its digest"), **READ_ERRORS},
                   description="Download a file of the change (anyone who may read the change).")
    def download(self, request, pk, attachment_id):
        change = _change(request, pk)
        attachment = selectors.attachment_of(change.pk, attachment_id)
        if attachment is None:
            raise ChangeRequest.DoesNotExist("No such attachment.")
        return file_response(attachment)


class WatchViewSet(CollaborationViewSet):
    def _state(self, request, change):
        names = selectors.watcher_names(change)
        return Response(doc.WatchersSerializer({"watching": request.user.username in names, "watchers": names}).data)

    @extend_schema(operation_id="changes_watchers", responses={200: doc.WatchersSerializer, **READ_ERRORS},
                   examples=doc.WATCH_EXAMPLES, description="Who watches the change, and whether you do.")
    def watchers(self, request, pk):
        return self._state(request, _change(request, pk))

    @extend_schema(operation_id="changes_watch", request=None, examples=doc.WATCH_EXAMPLES,
                   responses={200: doc.WatchersSerializer, **WRITE_ERRORS, 409: CONFLICT},
                   description="Watch the change: its comments, files and transitions reach your inbox (and e-mail, "
                               "per your preferences). Already watching: 409.")
    def watch(self, request, pk):
        services.watch(change_id=pk, actor=request.user)
        return self._state(request, _change(request, pk))

    @extend_schema(operation_id="changes_unwatch", request=None, examples=doc.WATCH_EXAMPLES,
                   responses={200: doc.WatchersSerializer, **WRITE_ERRORS, 409: CONFLICT},
                   description="Stop watching the change. Not watching it: 409.")
    def unwatch(self, request, pk):
        services.unwatch(change_id=pk, actor=request.user)
        return self._state(request, _change(request, pk))
