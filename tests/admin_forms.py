"""Posting Django admin change forms as a browser would, inlines included."""

from __future__ import annotations

from typing import Any

from django.forms import BaseForm, MultiWidget
from django.http import HttpResponse


def _form_data(form: BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field.widget, MultiWidget):
            # Split date/time widgets post as name_0, name_1.
            parts = bound.field.widget.decompress(value)
            for suffix, part in zip(bound.field.widget.widgets_names, parts, strict=True):
                if part is not None:
                    data[f"{bound.html_name}{suffix}"] = part
            continue
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else value
    return data


def admin_form_data(response: HttpResponse) -> dict[str, Any]:
    """The POST data of an admin add/change page as rendered: main form, management forms, inline rows."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data


def add_inline_row(data: dict[str, Any], prefix: str, **fields: Any) -> None:
    """Append a new row to the inline formset ``prefix`` (and count it in TOTAL_FORMS)."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value


def admin_errors(response: HttpResponse) -> list[Any]:
    """Every error of the re-rendered form: main form and inlines (empty after a successful save)."""
    if response.context is None or "adminform" not in response.context:
        return []
    errors: list[Any] = [response.context["adminform"].form.errors]
    for inline in response.context["inline_admin_formsets"]:
        errors += [inline.formset.non_form_errors(), *inline.formset.errors]
    return [e for e in errors if e]
