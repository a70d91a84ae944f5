"""Showing a service's refusal on a page: on the form field it names, or as one line of text."""

from django.core.exceptions import ValidationError
from django.forms import Form


def service_errors_on_form(form: Form, error: ValidationError, *, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal next to the field it is about (`aliases`: service name -> form field), or above
    the form when the form has no such field or the error names none."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        target = (aliases or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errors)


def error_text(error: Exception) -> str:
    """A refusal as one line, for a message after a redirect."""
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
