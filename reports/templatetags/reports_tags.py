"""Template filters of the reports pages."""

from __future__ import annotations

import datetime

from django import template

from reports.selectors.weekly_printout import week_label as _week_label

register = template.Library()


@register.filter
def week_label(monday: datetime.date | None) -> str:
    """«30 ноября – 6 декабря 2026 г.» for the Monday of a week."""
    return _week_label(monday) if monday else ""
