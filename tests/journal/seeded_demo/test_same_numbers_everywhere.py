"""Every screen shows the same figures of a student in a course: the grid, the final-marks page, the diary's
subject pages and the weekly printout, walked over every student × course of the seeded demo school, for
the finished first quarter (locked, with final marks) and the period running today.

And the history of the seeded journal: every seeded mark has its baseline row, so a later change of it
can be reverted (the compromised-login procedure, §3.16).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from diary.selectors.common import student_enrolments
from diary.selectors.subjects import subject_view, subjects_of_period
from journal import models as m
from journal.selectors.journal_grid import course_grid
from journal.selectors.lessons import week_of
from journal.selectors.periods import grade_periods, period_containing, period_summary
from journal.services.history import change_revert, changes_by_user_since
from journal.services.marks import mark_set
from reports.selectors.weekly_printout import weekly_printout
from tests.journal.seeded_demo.support import Demo

# One worker runs the package's tests: the demo is seeded once (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("seeded_demo")

Figures = tuple[Decimal | None, int, str]


def _periods(demo: Demo) -> list[m.StudyPeriod]:
    """The first quarter (finished and locked) and, of every period kind in use, the one running today."""
    chosen = {}
    for grade in range(2, 12):
        periods = grade_periods(demo.year.pk, grade)
        for period in periods:
            if period.number == 1 and period.end < demo.today:
                chosen[period.pk] = period
        current = period_containing(periods, demo.today)
        if current is not None:
            chosen[current.pk] = current
    return list(chosen.values())


def _courses_of(period: m.StudyPeriod) -> list[m.Course]:
    grades = [g for g in range(2, 12) if any(p.pk == period.pk for p in grade_periods(period.year_id, g))]
    return list(
        m.Course.objects.filter(class_group__year_id=period.year_id, class_group__grade__in=grades).select_related(
            "class_group__year__school", "subject", "subgroup"
        )
    )


def _grid_and_final_pages(courses: list[m.Course], period: m.StudyPeriod) -> tuple[dict, dict]:
    grid: dict[tuple[int, int], Figures] = {}
    finals: dict[tuple[int, int], Figures] = {}
    for course in courses:
        for row in course_grid(course, period.start, period.end, period=period).rows:
            grid[(row.student.pk, course.pk)] = (row.average, row.marks_count, row.suggested)
        for summary in period_summary(course, period):
            finals[(summary.student.pk, course.pk)] = (summary.average, summary.marks_count, summary.suggested)
    return grid, finals


def _diary(students: set[int], period: m.StudyPeriod) -> dict[tuple[int, int], Figures]:
    diary: dict[tuple[int, int], Figures] = {}
    for student in m.Student.objects.filter(pk__in=students).select_related("school"):
        for row in subjects_of_period(student, student_enrolments(student), period):
            p = row.prognosis
            diary[(student.pk, row.course.pk)] = (p.average, p.marks_count, p.suggested)
    return diary


def _printout(courses: list[m.Course], period: m.StudyPeriod, today: datetime.date) -> dict[tuple[int, int], Figures]:
    """The printout of the week that ends the period (or of this week, for the period running today)."""
    day = min(period.end, today)
    monday, sunday = week_of(day)
    printed: dict[tuple[int, int], Figures] = {}
    for class_group in {course.class_group for course in courses}:
        students = list(
            m.Student.objects.filter(enrolments__class_group=class_group, enrolments__date_from__lte=sunday).distinct()
        )
        printout = weekly_printout(class_group, monday, students=students)
        if printout.period is None or printout.period.pk != period.pk:
            continue  # the week's period is the next one: its figures are another period's
        for page in printout.pages:
            for row in page.averages:
                printed[(page.student.pk, row.course_id)] = (row.average, row.marks_count, row.suggested)
    return printed


@pytest.mark.slow
def test_every_student_and_course_has_the_same_figures_on_every_screen(demo: Demo, db: None) -> None:
    compared = 0
    for period in _periods(demo):
        courses = _courses_of(period)
        grid, finals = _grid_and_final_pages(courses, period)
        assert grid, period
        assert finals == grid, period
        diary = _diary({student for student, _course in grid}, period)
        # The diary lists the courses a student attends during the period: those of the grid's rows.
        assert {key: diary[key] for key in grid} == grid, period
        printed = _printout(courses, period, demo.today)
        assert printed, period
        assert {key: grid[key] for key in printed} == printed, period
        compared += len(grid)
        # With marks on both sides: the numbers are not all empty.
        assert sum(1 for average, _count, _suggested in grid.values() if average is not None) > len(grid) // 2
    assert compared > 5000


def test_the_diary_subject_page_shows_the_grids_figures(demo: Demo, db: None) -> None:
    period = next(p for p in _periods(demo) if p.number == 1)
    course = next(c for c in _courses_of(period) if c.class_group.grade == 7 and c.subgroup_id is None)
    rows = course_grid(course, period.start, period.end, period=period).rows
    for row in rows:
        student = m.Student.objects.select_related("school").get(pk=row.student.pk)
        prognosis = subject_view(student, course, period).prognosis
        assert (prognosis.average, prognosis.marks_count, prognosis.suggested) == (
            row.average,
            row.marks_count,
            row.suggested,
        )
    assert len(rows) > 15


def test_every_seeded_mark_attendance_and_final_mark_has_its_baseline_history(demo: Demo, db: None) -> None:
    for model in (m.Mark, m.Attendance, m.FinalMark, m.Homework):
        rows = model.objects.filter(pk__in=model.history.filter(history_type="+").values("id"))  # type: ignore[attr-defined]
        assert rows.count() == model.objects.count() > 0, model


def test_a_change_of_a_seeded_mark_is_reverted(demo: Demo, db: None) -> None:
    mark = (
        m.Mark.objects.filter(lesson__date__gte=demo.today - datetime.timedelta(days=6), value__in=["4", "5"])
        .select_related("lesson__course__class_group__year__school", "student", "author")
        .first()
    )
    assert mark is not None
    since = datetime.datetime.now(tz=datetime.UTC)
    changed = mark_set(
        actor=mark.author, lesson=mark.lesson, student=mark.student, value="2", expected_version=mark.version
    )
    assert changed.value == "2"

    (change,) = [c for c in changes_by_user_since(mark.author, since) if c.object_id == mark.pk]
    administrator = m.SchoolMembership.objects.filter(school=demo.school, roles__role="administrator").first()
    assert administrator is not None
    change_revert(actor=administrator.user, change=change)

    mark.refresh_from_db()
    assert mark.value in ("4", "5")
    assert mark.version == changed.version + 1
