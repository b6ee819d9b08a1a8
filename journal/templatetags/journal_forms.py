"""Template helpers for forms repeated many times on one page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class Choices:
    """``<option>`` pairs escaped once, for a select repeated on every row of a page.

    The lesson-changes page has a room and a lesson-number select for each of a
    week's ~30 lessons; the template loop over 80 rooms per lesson cost most of
    the page's time.
    """

    def __init__(self, pairs: Iterable[tuple[Any, Any]]) -> None:
        self.pairs = [(str(value), escape(label)) for value, label in pairs]


@register.simple_tag
def options(choices: Choices, selected: Any = None) -> SafeString:
    """The ``<option>`` tags of ``choices``, the one whose value is ``selected`` selected."""
    chosen = "" if selected is None else str(selected)
    return mark_safe(  # noqa: S308 — values and labels escaped in Choices
        "".join(
            f'<option value="{value}"{" selected" if value == chosen else ""}>{label}</option>'
            for value, label in choices.pairs
        )
    )
