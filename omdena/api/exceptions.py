"""API errors: domain errors from services become 400 with a message, never 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from omdena.errors import TransitionNotAllowed


def exception_handler(exc, context):
    if isinstance(exc, TransitionNotAllowed):
        exc = exceptions.ValidationError({"status": [str(exc)]})
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    return drf_exception_handler(exc, context)
