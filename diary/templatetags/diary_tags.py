"""Template helpers of the diary's links on pages of other apps."""

from __future__ import annotations

from django import template

from accounts.models import User
from accounts.roles import SCHOOL_WIDE_READERS
from journal.models import ClassGroup

register = template.Library()


@register.filter
def reads_acknowledgements_of(user: User, class_group: ClassGroup) -> bool:
    """The class teacher of the class and the administration read who acknowledged the diary's weeks."""
    return class_group.class_teacher_id == user.pk or user.has_role(*SCHOOL_WIDE_READERS)
