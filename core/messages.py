"""Turning a service's refusal (a ``ValidationError``) into what the page shows."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest


def error_text(error: ValidationError) -> str:
    """All the messages of the refusal in one line."""
    return " ".join(str(message) for message in error.messages)


def flash_errors(request: HttpRequest, error: ValidationError | Form) -> None:
    """Each message of a refusal (or of an invalid form, with its field's label) as a flash message."""
    if isinstance(error, Form):
        for name, errors in error.errors.items():
            label = error.fields[name].label if name in error.fields else ""
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else str(message))
        return
    for message in error.messages:
        messages.error(request, message)


def add_form_errors(form: Any, error: ValidationError, *, above: bool = False) -> None:
    """A refusal shown on the form: a message about one of its fields beside it, any other above it
    (``above``: every message above the form, for forms repeated on one page)."""
    if above:
        for message in error.messages:
            form.add_error(None, message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
