"""Writes of the monitoring: the deputy's control records (§3.9, §7.2) and the reminders of final marks
due (§6, §7), each telling the teacher."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from journal import rules
from journal.models import AcademicYear, Course, School
from messaging.models import Notification, NotificationAudience, NotificationKind
from messaging.services.notifications import notify_staff
from monitoring.models import ControlCheck
from monitoring.selectors import missing_finals

# Teachers are reminded of final marks this many days before the deadline, once a course and a period.
REMIND_BEFORE = datetime.timedelta(days=3)


def _check_text(check: ControlCheck) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        what = _("the journal of %(course)s") % {"course": check.course} if check.course_id else _("your journal")
        text = _("Control check of %(what)s on %(date)s: %(findings)s") % {
            "what": what,
            "date": check.checked_on.strftime("%d.%m.%Y"),
            "findings": check.findings,
        }
        if check.fix_by:
            text += " " + _("To be put right by %(date)s.") % {"date": check.fix_by.strftime("%d.%m.%Y")}
    return text[:500]


@transaction.atomic
def control_check_create(
    *,
    actor: User,
    school: School,
    year: AcademicYear,
    teacher: User,
    course: Course | None,
    checked_on: datetime.date,
    findings: str,
    fix_by: datetime.date | None,
) -> ControlCheck:
    """Record a check of a teacher's journal (of one course, or all of it) and tell the teacher."""
    if not rules.records_control_checks(actor):
        raise PermissionDenied(_("Only the deputy director and the director record control checks."))
    if not rules.teaches_in(teacher, school):
        raise ValidationError({"teacher": _("Choose a teacher of the school.")})
    if course is not None and course.class_group.year_id != year.pk:
        raise ValidationError({"course": _("The course is not of this academic year.")})
    findings = findings.strip()
    if not findings:
        raise ValidationError({"findings": _("Write what the check found.")})
    if fix_by is not None and fix_by < checked_on:
        raise ValidationError({"fix_by": _("The deadline to put it right comes before the check.")})
    check = ControlCheck.objects.create(
        school=school,
        year=year,
        teacher=teacher,
        course=course,
        checked_on=checked_on,
        findings=findings,
        fix_by=fix_by,
        author=actor,
    )
    notify_staff(
        recipient_ids=[teacher.pk], kind=NotificationKind.CONTROL_CHECK, text=_check_text(check), course=course
    )
    return check


@transaction.atomic
def control_check_fixed(*, actor: User, check: ControlCheck, on: datetime.date | None = None) -> ControlCheck:
    """The deputy confirms the findings were put right (or reopens the check with ``on`` None twice)."""
    if not rules.records_control_checks(actor):
        raise PermissionDenied(_("Only the deputy director and the director record control checks."))
    check = ControlCheck.objects.select_for_update().get(pk=check.pk)
    check.fixed_on = on or timezone.localdate()
    check.save(update_fields=["fixed_on"])
    return check


def final_marks_reminders(*, school: School, year: AcademicYear, today: datetime.date | None = None) -> int:
    """Remind the teachers of the courses whose period marks are not all given when the deadline is at most
    three days away: one notification a teacher, course and period (running it again tells nobody twice).
    Returns how many were sent."""
    today = today or timezone.localdate()
    due = [
        row
        for row in missing_finals(year, today)
        if row.period.final_marks_deadline is not None and 0 <= row.days_to_deadline(today) <= REMIND_BEFORE.days
    ]
    if not due:
        return 0
    told = set(
        Notification.objects.filter(
            kind=NotificationKind.FINAL_MARKS_DUE,
            audience=NotificationAudience.TEACHER,
            course__in=[row.course for row in due],
            day__in={row.period.final_marks_deadline for row in due},
        ).values_list("recipient_id", "course_id", "day")
    )
    sent = 0
    with transaction.atomic():
        for row in due:
            deadline = row.period.final_marks_deadline
            recipients = [t for t in row.teachers if (t, row.course.pk, deadline) not in told]
            if not recipients:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                text = _(
                    "%(course)s: the marks for %(period)s are missing for %(count)s students; the deadline is %(date)s."
                ) % {
                    "course": row.course,
                    "period": row.period,
                    "count": len(row.missing),
                    "date": deadline.strftime("%d.%m.%Y") if deadline else "",
                }
            notify_staff(
                recipient_ids=recipients,
                kind=NotificationKind.FINAL_MARKS_DUE,
                text=text,
                course=row.course,
                day=deadline,
            )
            sent += len(recipients)
    return sent
