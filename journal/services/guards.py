"""What stops a write on a lesson, checked by every service that writes one (cells, homework, topics).

- a cancelled lesson takes no marks, attendance or homework (its rows may still be removed);
- a lesson in a locked study period (the grade's scheme: quarters unless it says half-years) takes no
  change until the deputy unlocks the period;
- an archived year is read-only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from journal.models import AcademicYear, Lesson, LessonStatus, StudyPeriod
from journal.selectors.periods import period_kind_expr


def day_text(lesson: Lesson) -> str:
    return lesson.date.strftime("%d.%m.%Y")


def locked_period_id(lesson: str = "") -> Subquery:
    """For a query of lessons (or of rows of a lesson: ``lesson="lesson__"``): the id of the locked period the
    lesson's date falls in, ``None`` if none."""
    year = f"{lesson}course__class_group__year_id"
    # The grade's scheme is a subquery inside the periods' one: its references reach out two levels.
    scheme_kind = period_kind_expr(OuterRef(OuterRef(year)), OuterRef(OuterRef(f"{lesson}course__class_group__grade")))
    return Subquery(
        StudyPeriod.objects.filter(
            year_id=OuterRef(year),
            kind=scheme_kind,
            start__lte=OuterRef(f"{lesson}date"),
            end__gte=OuterRef(f"{lesson}date"),
            is_locked=True,
        ).values("pk")[:1]
    )


def fresh_lesson(lesson: Lesson) -> Lesson:
    """The lesson as stored now (its status may have changed since the page was built), with what the
    guards read: the class, its year and school, the subgroup, and the locked period it falls in."""
    return (
        Lesson.objects.select_related("course__class_group__year__school", "course__subgroup")
        .annotate(locked_period_id=locked_period_id())
        .get(pk=lesson.pk)
    )


def refuse_cancelled(lesson: Lesson) -> None:
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(
            {"lesson": _("The lesson of %(date)s is cancelled: nothing is entered on it.") % {"date": day_text(lesson)}}
        )


def refuse_archived(year: AcademicYear) -> None:
    """Refuse any change in an archived year (its journal, timetable, substitutions): read-only for all."""
    if year.is_archived:
        raise ValidationError(_("The year %(year)s is archived: its journal is read-only.") % {"year": year})


def refuse_closed(lesson: Lesson) -> None:
    """Refuse a change of a lesson of an archived year or of a locked period.

    ``lesson`` comes from :func:`fresh_lesson` (or any query annotated with :func:`locked_period_id`).
    """
    year = lesson.course.class_group.year
    if year.is_archived:
        raise ValidationError(
            {"lesson": _("The year %(year)s is archived: its journal is read-only.") % {"year": year}}
        )
    period_id = getattr(lesson, "locked_period_id", None)
    if period_id is not None:
        period = StudyPeriod.objects.get(pk=period_id)
        raise ValidationError(
            {
                "lesson": _("The period %(period)s is locked; ask the deputy to unlock it.")
                % {"period": f"{period} ({period.start:%d.%m.%Y} – {period.end:%d.%m.%Y})"}
            }
        )
