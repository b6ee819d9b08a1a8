"""The curriculum (учебный план): a subject's weekly hours and assessment in a grade of a year."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import AcademicYear, CurriculumItem, Subject
from journal.models.structure import Assessment

MAX_HOURS_PER_WEEK = Decimal(40)


def _validate(
    *,
    year: AcademicYear,
    grade: int,
    subject: Subject,
    hours_per_week: Decimal,
    assessment: str,
    item: CurriculumItem | None = None,
) -> None:
    """Raise a ValidationError naming the field, in the words of the curriculum screen."""
    errors: dict[str, str] = {}
    if year.is_archived:
        raise ValidationError(_("The year %(year)s is archived: its curriculum is read-only.") % {"year": year})
    if not 1 <= grade <= 11:
        errors["grade"] = _("The grade must be from 1 to 11, not %(grade)s.") % {"grade": grade}
    if subject.school_id != year.school_id:
        errors["subject"] = _("The subject belongs to another school.")
    if hours_per_week <= 0 or hours_per_week > MAX_HOURS_PER_WEEK:
        errors["hours_per_week"] = _("Hours per week must be more than 0 and at most 40, not %(hours)s.") % {
            "hours": hours_per_week
        }
    elif hours_per_week * 2 != int(hours_per_week * 2):
        # Half an hour a week is a lesson every other week; finer fractions cannot be timetabled.
        errors["hours_per_week"] = _("Hours per week are whole or halves (0.5, 1, 1.5 …), not %(hours)s.") % {
            "hours": hours_per_week
        }
    if assessment not in Assessment.values:
        errors["assessment"] = _("Unknown assessment kind: %(value)s.") % {"value": assessment}
    if "grade" not in errors and "subject" not in errors:
        duplicate = CurriculumItem.objects.filter(year=year, grade=grade, subject=subject)
        if item is not None:
            duplicate = duplicate.exclude(pk=item.pk)
        if duplicate.exists():
            errors["subject"] = _("Grade %(grade)s already has %(subject)s in the curriculum of %(year)s.") % {
                "grade": grade,
                "subject": subject,
                "year": year,
            }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def curriculum_item_create(
    *,
    actor: User | None,
    year: AcademicYear,
    grade: int,
    subject: Subject,
    hours_per_week: Decimal,
    assessment: str = Assessment.MARKS,
) -> CurriculumItem:
    """Add a subject to a grade's curriculum; a second line for the same subject is refused."""
    _validate(year=year, grade=grade, subject=subject, hours_per_week=hours_per_week, assessment=assessment)
    return CurriculumItem.objects.create(
        year=year, grade=grade, subject=subject, hours_per_week=hours_per_week, assessment=assessment
    )


@transaction.atomic
def curriculum_item_update(
    *,
    actor: User | None,
    item: CurriculumItem,
    subject: Subject,
    hours_per_week: Decimal,
    assessment: str,
) -> CurriculumItem:
    """Change a line's subject, hours or assessment (the year and grade stay)."""
    _validate(
        year=item.year,
        grade=item.grade,
        subject=subject,
        hours_per_week=hours_per_week,
        assessment=assessment,
        item=item,
    )
    item.subject = subject
    item.hours_per_week = hours_per_week
    item.assessment = assessment
    item.save(update_fields=["subject", "hours_per_week", "assessment"])
    return item


@transaction.atomic
def curriculum_item_delete(*, actor: User | None, item: CurriculumItem) -> None:
    if item.year.is_archived:
        raise ValidationError(_("The year %(year)s is archived: its curriculum is read-only.") % {"year": item.year})
    item.delete()
