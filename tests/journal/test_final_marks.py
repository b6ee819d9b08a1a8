"""Final marks, period locking and the period summary (services and selectors of issue 4)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal import models as m
from journal.selectors.periods import period_kind_for_grade, period_of, period_summary
from journal.services.final_marks import final_mark_set, period_lock, period_relock, period_unlock
from journal.services.structure import enrolment_create
from tests.factories import YEAR_START, StudentFactory

Q1_START = YEAR_START
Q1_END = datetime.date(2026, 10, 25)


@pytest.fixture
def q1(world) -> m.StudyPeriod:
    return m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=1, start=Q1_START, end=Q1_END)


def _lesson(course: m.Course, day: datetime.date, slot: int = 1) -> m.Lesson:
    return m.Lesson.objects.create(course=course, date=day, slot=slot, status=m.LessonStatus.HELD)


def _marks(world, student: m.Student, *pairs: tuple[str, str]) -> None:
    """Marks (value, weight) on successive lessons of 5А mathematics in the first quarter."""
    for number, (value, weight) in enumerate(pairs):
        lesson, _ = m.Lesson.objects.get_or_create(
            course=world.math_5a,
            date=Q1_START + datetime.timedelta(days=number),
            slot=1,
            defaults={"status": m.LessonStatus.HELD},
        )
        m.Mark.objects.create(
            lesson=lesson, student=student, value=value, weight=Decimal(weight), author=world.users["teacher"]
        )


def _set(world, q1, value: str, **kwargs):
    return final_mark_set(
        actor=world.users["teacher"],
        course=world.math_5a,
        student=world.child,
        kind="quarter",
        period=q1,
        value=value,
        **kwargs,
    )


def test_suggested_mark_is_the_weighted_average_by_thresholds(world, q1):
    _marks(world, world.child, ("5", "1"), ("3", "3"))  # (5 + 9) / 4 = 3.50
    row = next(r for r in period_summary(world.math_5a, q1) if r.student == world.child)
    assert row.average == Decimal("3.50")
    assert row.suggested == "3"


def test_a_final_mark_equal_to_the_suggestion_needs_no_reason_and_stores_it(world, q1):
    _marks(world, world.child, ("5", "1"), ("3", "3"))
    mark = _set(world, q1, "3")
    assert (mark.value, mark.suggested, mark.reason, mark.version) == ("3", "3", "", 1)
    assert mark.history.get().history_user == world.users["teacher"]


def test_a_final_mark_differing_from_the_suggestion_needs_a_reason(world, q1):
    _marks(world, world.child, ("5", "1"), ("3", "3"))
    with pytest.raises(ValidationError) as error:
        _set(world, q1, "4")
    assert "reason" in error.value.message_dict
    assert not m.FinalMark.objects.exists()
    mark = _set(world, q1, "4", reason="  Исправил контрольную  ")
    assert (mark.value, mark.suggested, mark.reason) == ("4", "3", "Исправил контрольную")


@pytest.mark.parametrize("value", ["на", "осв", "зч"])
def test_not_attested_exempt_and_pass_are_accepted(world, q1, value):
    assert _set(world, q1, value).value == value


def test_a_value_off_the_scale_is_refused(world, q1):
    for value in ("6", "1", "x"):  # the default scale starts at 2
        with pytest.raises(ValidationError) as error:
            _set(world, q1, value)
        assert "value" in error.value.message_dict
    assert not m.FinalMark.objects.exists()


def test_only_the_teacher_of_the_course_sets_final_marks(world, q1):
    for persona in ("other_teacher", "class_teacher", "deputy", "parent"):
        with pytest.raises(PermissionDenied):
            final_mark_set(
                actor=world.users[persona],
                course=world.math_5a,
                student=world.child,
                kind="quarter",
                period=q1,
                value="5",
            )
    assert not m.FinalMark.objects.exists()


def test_a_student_of_another_class_gets_no_final_mark(world, q1):
    with pytest.raises(ValidationError) as error:
        final_mark_set(
            actor=world.users["teacher"],
            course=world.math_5a,
            student=world.student_6b,
            kind="quarter",
            period=q1,
            value="5",
        )
    assert "student" in error.value.message_dict


def test_a_locked_period_refuses_final_marks_until_unlocked_with_a_reason(world, q1):
    deputy = world.users["deputy"]
    period_lock(actor=deputy, period=q1)
    with pytest.raises(ValidationError) as error:
        _set(world, q1, "на")
    assert error.value.code == "locked"
    assert not m.FinalMark.objects.exists()

    with pytest.raises(ValidationError):
        period_unlock(actor=deputy, period=q1, reason="   ")
    with pytest.raises(PermissionDenied):
        period_unlock(actor=world.users["teacher"], period=q1, reason="Хочу исправить")
    q1.refresh_from_db()
    assert q1.is_locked

    unlock = period_unlock(actor=deputy, period=q1, reason="Ошибка в оценке Соколова")
    assert (unlock.unlocked_by, unlock.reason, unlock.relocked_at) == (deputy, "Ошибка в оценке Соколова", None)
    q1.refresh_from_db()
    assert _set(world, q1, "на").value == "на"

    period_relock(actor=deputy, period=q1)
    q1.refresh_from_db()
    unlock.refresh_from_db()
    assert q1.is_locked and unlock.relocked_at is not None


def test_a_stale_version_is_refused_naming_the_stored_value_and_author(world, q1):
    first = _set(world, q1, "на")
    second = _set(world, q1, "осв", expected_version=first.version)
    assert second.version == 2
    with pytest.raises(ValidationError) as error:
        _set(world, q1, "зч", expected_version=1)
    assert error.value.code == "stale"
    assert "осв" in error.value.messages[0] and "Иванова" in error.value.messages[0]
    with pytest.raises(ValidationError):  # saw no mark, but there is one now
        _set(world, q1, "зч")
    assert m.FinalMark.objects.get().value == "осв"
    assert m.FinalMark.objects.get().history.count() == 2


def test_period_of_follows_the_grade_scheme(world, q1):
    half = m.StudyPeriod.objects.create(
        year=world.year, kind="half_year", number=1, start=YEAR_START, end=datetime.date(2026, 12, 28)
    )
    m.GradePeriodScheme.objects.create(year=world.year, grade=10, kind="half_year")
    assert period_kind_for_grade(world.year, 5) == "quarter"
    assert period_of(world.year, 5, datetime.date(2026, 10, 1)) == q1
    assert period_of(world.year, 10, datetime.date(2026, 10, 1)) == half
    assert period_of(world.year, 5, datetime.date(2026, 10, 30)) is None


def test_minimum_marks_flag_follows_the_weekly_hours(world, q1):
    m.CurriculumItem.objects.create(
        year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=Decimal("5")
    )
    _marks(world, world.child, *[("4", "1")] * 7)
    _marks(world, world.other_child, ("5", "1"), ("на", "1"))
    rows = {r.student: r for r in period_summary(world.math_5a, q1)}
    assert (rows[world.child].marks_count, rows[world.child].minimum, rows[world.child].below_minimum) == (7, 7, False)
    assert (rows[world.other_child].marks_count, rows[world.other_child].below_minimum) == (1, True)


def _class_of(world, size: int) -> None:
    for number in range(size):
        student = StudentFactory(school=world.school, last_name=f"Ученик{number:02}")
        enrolment_create(actor=None, student=student, class_group=world.class_5a, date_from=YEAR_START)
        _marks(world, student, ("5", "1"), ("4", "2"))
        m.FinalMark.objects.create(
            course=world.math_5a,
            student=student,
            kind="quarter",
            period=m.StudyPeriod.objects.get(number=1),
            value="4",
            author=world.users["teacher"],
        )


def _queries(world, q1) -> int:
    course = m.Course.objects.get(pk=world.math_5a.pk)
    with CaptureQueriesContext(connection) as ctx:
        rows = period_summary(course, q1)
        for row in rows:
            str(row.final.author if row.final else "")
    return len(ctx)


def test_period_summary_takes_a_constant_number_of_queries(world, q1):
    _class_of(world, 3)
    few = _queries(world, q1)
    _class_of(world, 12)
    assert len(period_summary(world.math_5a, q1)) == 17
    assert _queries(world, q1) == few


def test_period_summary_lists_only_students_enrolled_during_the_period(world, q1):
    late = StudentFactory(school=world.school, last_name="Поздний")
    enrolment_create(actor=None, student=late, class_group=world.class_5a, date_from=datetime.date(2026, 11, 10))
    students = [r.student for r in period_summary(world.math_5a, q1)]
    assert late not in students and world.child in students
