"""A mark as it is printed (``{{ value|mark_label }}``): «зач.», «н/а», never the stored code."""

from __future__ import annotations

from django import template

from journal.models.marks import short_label

register = template.Library()


@register.filter
def mark_label(value: str | None) -> str:
    """The mark's printed form, as on paper and in the reports (:func:`journal.models.marks.short_label`)."""
    return short_label(value) if value else ""
