"""Template filters of the reports pages."""

from __future__ import annotations

import datetime

from django import template

from journal.models import ClassGroup
from journal.selectors.scope import reads_whole_school
from reports.selectors.weekly_printout import week_label as _week_label

register = template.Library()


@register.filter
def week_label(monday: datetime.date | None) -> str:
    """«30 ноября – 6 декабря 2026 г.» for the Monday of a week."""
    return _week_label(monday) if monday else ""


@register.simple_tag(takes_context=True)
def shows_printouts_link(context: template.Context, class_group: ClassGroup) -> bool:
    """The class page links to the printouts for the class's teacher and the administration (no query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return class_group.class_teacher_id == user.pk or reads_whole_school(user)
