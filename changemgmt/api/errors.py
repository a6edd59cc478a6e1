"""Map service refusals to HTTP: 400 field errors, 403, 404, 409 with the missing items, and every
other failure under /api/ to a JSON body of the documented shape (`{"detail": …}`), never HTML."""
import logging

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from changemgmt import locking
from changemgmt.errors import Conflict, GateRefused

logger = logging.getLogger(__name__)
NOT_FOUND_DETAIL = "Not found."


def _field_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in errors] for field, errors in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def _messages(errors, prefix: str = "") -> list[str]:
    """A field's errors as the documented list of strings. DRF nests the errors of a list's items
    ({"0": [...]}) and of nested objects ({"name": [...]}); each message keeps where it applies as a
    prefix ("[0] A valid integer is required."), so every 400 has one shape (FIELD_ERRORS)."""
    if isinstance(errors, dict):
        return [message for key, value in errors.items()
                for message in _messages(value, f"{prefix}[{key}] " if isinstance(key, int) or str(key).isdigit()
                                         else f"{prefix}{key}: ")]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value, prefix)]
    return [f"{prefix}{errors}"]


def exception_handler(exc, context):
    if isinstance(exc, GateRefused):
        return Response({"detail": f"The {exc.transition} gate does not hold.", "transition": exc.transition,
                         "missing": [m.as_dict() for m in exc.missing]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(_field_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "Permission denied."}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return Response({"detail": NOT_FOUND_DETAIL}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, OperationalError) and locking.is_retryable(exc):
        set_rollback()  # a lost lock race (changemgmt.locking): nothing was written, try again
        return Response({"detail": locking.BUSY}, status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(exc, ValidationError) and isinstance(response.data, dict):
            response.data = {field: errors if isinstance(errors, str) else _messages(errors)
                             for field, errors in response.data.items()}
        return response
    # A bug: log it with its traceback, undo the request's writes, answer the documented shape.
    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
    set_rollback()
    return Response({"detail": "Server error."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


@csrf_exempt  # writes nothing, whoever asks: a CSRF refusal here would answer HTML instead of JSON
def not_found(request, *args, **kwargs):
    """Any /api/ path no endpoint serves (the last route of changemgmt.api.urls)."""
    return JsonResponse({"detail": NOT_FOUND_DETAIL}, status=404)
