"""One object of the monitoring for a user: 404 outside the user's school, 403 where a rule refuses
(:mod:`journal.rules`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import Role
from journal import rules
from journal.models import AcademicYear, School
from journal.selectors.schools import current_year, users_with_role
from monitoring.models import ControlCheck


def get_monitored_year(school: School | None) -> AcademicYear:
    """The school's current year: what the monitoring watches (404 without one)."""
    year = current_year(school)
    if year is None:
        raise Http404("The school has no current academic year")
    return year


def get_teacher_week_for_user(user: User, school: School | None, teacher_id: int) -> User:
    """A teacher whose week the user reads: their own, or any of the school's for the director and the
    deputy (403 for others, 404 outside the school)."""
    if teacher_id != user.pk and not rules.reads_school_monitoring(user):
        raise PermissionDenied
    teacher = User.objects.filter(pk=teacher_id, memberships__school=school).first()
    if teacher is None:
        raise Http404("No such teacher in the school")
    return teacher


def get_check_for_user(user: User, school: School | None, check_id: int) -> ControlCheck:
    """A control check the user may mark put right: the deputy's and the director's of their school."""
    if not rules.records_control_checks(user):
        raise PermissionDenied
    check = ControlCheck.objects.filter(pk=check_id, school=school).first()
    if check is None:
        raise Http404("No such control check in the school")
    return check


def teachers_of(school: School) -> QuerySet[User]:
    """The active teachers of the school, by name (who a check may be of)."""
    return users_with_role(school, Role.TEACHER).filter(is_active=True).order_by("last_name", "first_name")
