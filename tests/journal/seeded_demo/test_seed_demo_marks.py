"""The demo school comes with the journal's data of the year so far: marks, attendance, homework and the
final marks of the finished periods (then locked).

The default demo school is seeded once for the package (``conftest.py``, shared with
test_seed_demo_planning.py), inside a transaction rolled back at the end; each test runs in a savepoint of it.
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from journal import models as m
from journal.models.planning import LessonStatus
from journal.permissions import permission_drift
from journal.selectors.membership import course_roster, enrolled_on
from monitoring.selectors import missing_finals
from tests.journal.seeded_demo.support import Demo

# One worker runs the package's tests: the demo is seeded once (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("seeded_demo")


def _require_past(demo: Demo, days: int = 21) -> None:
    if demo.today < demo.year.start + datetime.timedelta(days=days):
        pytest.skip("the academic year began too recently")


def _marks(demo: Demo):
    return m.Mark.objects.filter(lesson__course__class_group__year=demo.year)


def test_grade_one_gets_attendance_but_no_marks(demo, db):
    _require_past(demo)
    assert not _marks(demo).filter(lesson__course__class_group__grade=1).exists()
    assert not m.FinalMark.objects.filter(course__class_group__year=demo.year, course__class_group__grade=1).exists()
    assert m.Attendance.objects.filter(
        lesson__course__class_group__year=demo.year, lesson__course__class_group__grade=1
    ).exists()
    assert _marks(demo).filter(lesson__course__class_group__grade=2).exists()


def test_every_mark_is_on_a_held_lesson_for_a_student_enrolled_that_day_and_in_the_subgroup(demo, db):
    _require_past(demo)
    marks = list(
        _marks(demo).values_list(
            "student_id",
            "lesson__date",
            "lesson__status",
            "lesson__course__class_group_id",
            "lesson__course__subgroup_id",
        )
    )
    assert marks
    assert {status for *_x, status, _cg, _sg in marks} == {LessonStatus.HELD}
    enrolments: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]] = {}
    for student, cg, start, end in m.Enrolment.objects.filter(class_group__year=demo.year).values_list(
        "student_id", "class_group_id", "date_from", "date_to"
    ):
        enrolments.setdefault((student, cg), []).append((start, end))
    members = set(
        m.Subgroup.members.through.objects.filter(subgroup__class_group__year=demo.year).values_list(
            "subgroup_id", "student_id"
        )
    )
    for student, day, _status, cg, sg in marks:
        spans = enrolments.get((student, cg), [])
        assert any(start <= day and (end is None or end >= day) for start, end in spans), (student, day, cg)
        assert sg is None or (sg, student) in members, (student, sg)


def test_no_mark_for_a_student_absent_from_that_lesson(demo, db):
    _require_past(demo)
    absent = m.Attendance.objects.filter(
        lesson__course__class_group__year=demo.year, status=m.AttendanceStatus.ABSENT
    ).values_list("lesson_id", "student_id")
    assert absent.exists()
    marked = set(_marks(demo).values_list("lesson_id", "student_id"))
    assert not marked & set(absent)


def test_marks_look_like_a_real_journal(demo, db):
    _require_past(demo, 35)
    marks = _marks(demo)
    assert marks.filter(position=2).exists()
    assert marks.filter(is_late=True).exists()
    assert not marks.filter(weight__lte=0).exists()
    assert not marks.filter(work_type__isnull=True).exists()
    tests = m.Lesson.objects.filter(
        course__class_group__year=demo.year, status=LessonStatus.HELD, kind=m.LessonKind.TEST
    ).exclude(course__class_group__grade=1)
    test_marks = marks.filter(lesson__in=tests, position=1).count()
    assert test_marks > 15 * tests.count()  # nearly everyone present gets a mark on a test
    held = m.Lesson.objects.filter(course__class_group__year=demo.year, status=LessonStatus.HELD)
    cells = m.Enrolment.objects.filter(enrolled_on(demo.today), class_group__year=demo.year).count()
    absences = m.Attendance.objects.filter(lesson__in=held, status=m.AttendanceStatus.ABSENT).count()
    # About 3–5 % of the lessons students had: held lessons × their class size, roughly.
    per_lesson = cells / m.ClassGroup.objects.filter(year=demo.year).count()
    share = absences / (held.count() * per_lesson)
    assert 0.02 < share < 0.07, share
    assert m.Homework.objects.filter(lesson__in=held).count() > 0.7 * held.count()


def test_teachers_leave_remarks_on_a_few_marks_mostly_on_the_low_ones(demo, db):
    _require_past(demo, 35)
    marks = _marks(demo)
    remarked = marks.exclude(comment="")
    assert 0.01 * marks.count() < remarked.count() < 0.1 * marks.count()
    share = {v: remarked.filter(value=v).count() / max(1, marks.filter(value=v).count()) for v in "25"}
    assert share["2"] > 3 * share["5"] > 0, share


def test_past_tests_have_a_results_date_and_their_late_flag_follows_it(demo, db):
    _require_past(demo, 35)
    tests = m.Lesson.objects.filter(
        course__class_group__year=demo.year, status=LessonStatus.HELD, kind=m.LessonKind.TEST
    )
    given = tests.filter(results_on__isnull=False)
    assert given.count() > 0.9 * tests.filter(date__lte=demo.today - datetime.timedelta(days=3)).count()
    for date, results_on in given.values_list("date", "results_on"):
        assert date < results_on <= min(demo.today, date + datetime.timedelta(days=3))
        assert results_on.weekday() != 6
    assert (
        not m.Lesson.objects.filter(course__class_group__year=demo.year, results_on__isnull=False)
        .exclude(kind=m.LessonKind.TEST)
        .exists()
    )
    # A test's marks are entered on the day its results were given (on time), or a week late.
    rows = _marks(demo).filter(lesson__in=given).values_list("created_at", "lesson__results_on", "is_late")
    assert rows
    for created_at, results_on, is_late in rows:
        assert is_late == (timezone.localtime(created_at).date() > results_on + datetime.timedelta(days=1))


def test_finished_quarters_have_final_marks_for_every_student_and_are_locked(demo, db):
    periods = list(m.StudyPeriod.objects.filter(year=demo.year, kind="quarter", end__lt=demo.today))
    if not periods:
        pytest.skip("no quarter has ended yet")
    forgotten = {}
    for period in periods:
        assert m.StudyPeriod.objects.get(pk=period.pk).is_locked
        courses = m.Course.objects.filter(class_group__year=demo.year, class_group__grade__range=(2, 9))
        final = set(m.FinalMark.objects.filter(period=period, kind="quarter").values_list("course_id", "student_id"))
        for course in courses.select_related("subgroup"):
            ids = {entry.student.pk for entry in course_roster(course, period.end, period.end)}
            missing = {s for s in ids if (course.pk, s) not in final}
            if missing:
                forgotten[(period.number, course.pk)] = len(missing)
    # Complete but for the two first-quarter marks one 7th-grade course forgot, which the monitoring lists.
    assert list(forgotten.values()) == [2] and next(iter(forgotten))[0] == 1
    first = next(p for p in periods if p.number == 1)
    listed = missing_finals(demo.year, demo.today, periods=[first])
    assert [(row.course.pk, len(row.missing)) for row in listed] == [(next(iter(forgotten))[1], 2)]
    # A mark that differs from a suggestion has a reason (a pass/fail subject's has no suggestion).
    differing = (
        m.FinalMark.objects.filter(course__class_group__year=demo.year)
        .exclude(value=F("suggested"))
        .exclude(suggested="")
    )
    assert differing.exists()
    assert not differing.filter(reason="").exists()
    assert not m.StudyPeriod.objects.filter(year=demo.year, kind="half_year", end__gte=demo.today, is_locked=True)


def test_the_demo_parents_children_have_marks_this_week_or_last(demo, db):
    _require_past(demo)
    parent = User.objects.get(username="parent")
    children = m.Student.objects.filter(parent_links__parent=parent)
    assert children.exists()
    since = demo.today - datetime.timedelta(days=demo.today.weekday() + 7)
    for child in children:
        grade = (
            m.Enrolment.objects.filter(enrolled_on(demo.today), student=child)
            .values_list("class_group__grade", flat=True)
            .first()
        )
        if grade is None or grade < 2:
            continue
        assert m.Mark.objects.filter(student=child, lesson__date__gte=since).exists(), child


def test_seeding_keeps_object_permissions_without_drift(demo, db):
    missing, extra = permission_drift()
    assert not missing and not extra
    assert "Object permissions agree with the domain rows." in demo.output


def test_pass_fail_subjects_take_pass_or_fail_marks_and_ungraded_ones_none(demo, db):
    """The curriculum's assessment rules the demo's marks as it rules the grid's (ОРКСЭ, ОДНКНР: зачёт)."""
    by_assessment = {}
    for item in m.CurriculumItem.objects.filter(year=demo.year):
        by_assessment.setdefault(item.assessment, set()).add((item.grade, item.subject_id))
    marks = m.Mark.objects.filter(lesson__course__class_group__year=demo.year).values_list(
        "lesson__course__class_group__grade", "lesson__course__subject_id", "value"
    )
    seen: dict[str, set[str]] = {}
    for grade, subject, value in marks:
        kind = next((k for k, keys in by_assessment.items() if (grade, subject) in keys), "marks")
        seen.setdefault(kind, set()).add(value)
    assert seen["pass_fail"] <= {"зч", "нз", "на"} and "зч" in seen["pass_fail"]
    assert "none" not in seen
    assert {"5", "4", "3"} <= seen["marks"]


def test_the_demo_has_control_checks_told_in_the_site_and_mails_nobody(demo, db):
    from messaging.models import Notification, NotificationKind
    from monitoring.models import ControlCheck

    assert ControlCheck.objects.filter(year=demo.year).count() == 3
    told = Notification.objects.filter(kind=NotificationKind.CONTROL_CHECK)
    assert told.count() == 3
    assert not told.filter(emailed_at__isnull=True).exists()  # marked as handled: no letter leaves
