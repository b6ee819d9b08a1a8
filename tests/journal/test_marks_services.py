"""The services that write a journal cell: marks, attendance, homework and what a teacher types.

Each rule of the regulation is refused in the service with a message naming
what was wrong; every change leaves a history row with the actor.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import User
from journal import models as m
from journal.rules import sets_absence_reason, writes_lesson
from journal.selectors.grading import policy_for
from journal.services.cell_input import CellInput, parse_cell_input
from journal.services.conflicts import StaleEdit
from journal.services.homework import homework_clear, homework_set
from journal.services.marks import (
    attendance_clear,
    attendance_set,
    attendance_set_reason,
    mark_delete,
    mark_set,
)
from journal.services.structure import enrolment_create, teaching_assignment_create
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, CourseFactory, StudentFactory, SubjectFactory

# Also run on SQLite, the zero-setup default (scripts/test.sh).
pytestmark = pytest.mark.both_engines

# factory_boy is untyped: these give the type checker the models the factories make.


def new_student(world: World, **fields: object) -> m.Student:
    return cast(m.Student, StudentFactory(school=world.school, **fields))


def new_class(world: World, grade: int, letter: str) -> m.ClassGroup:
    return cast(m.ClassGroup, ClassGroupFactory(year=world.year, grade=grade, letter=letter))


def new_subject(world: World, name: str) -> m.Subject:
    return cast(m.Subject, SubjectFactory(school=world.school, name=name))


def new_course(class_group: m.ClassGroup, subject: m.Subject, **fields: object) -> m.Course:
    """A course these tests' teacher (the persona ``teacher``) teaches: only its teacher writes its cells."""
    course = cast(m.Course, CourseFactory(class_group=class_group, subject=subject, **fields))
    teaching_assignment_create(
        actor=None, course=course, teacher=User.objects.get(username="teacher"), date_from=YEAR_START
    )
    return course


TODAY = timezone.localdate()
RECENT = TODAY - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def english(settings) -> Iterator[None]:
    """Messages are compared with their English msgids here."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_lesson(course: m.Course, day: datetime.date = RECENT, slot: int = 1, **fields: object) -> m.Lesson:
    return m.Lesson.objects.create(course=course, date=day, slot=slot, **fields)


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


@pytest.fixture
def lesson(world: World) -> m.Lesson:
    return make_lesson(world.math_5a)


@pytest.fixture
def work_types(world: World) -> dict[str, m.WorkType]:
    return {
        "answer": m.WorkType.objects.create(school=world.school, name="Ответ на уроке", weight=Decimal("1")),
        "homework": m.WorkType.objects.create(school=world.school, name="Домашняя работа", weight=Decimal("1")),
        "test": m.WorkType.objects.create(
            school=world.school, name="Контрольная работа", weight=Decimal("3"), lesson_kind=m.LessonKind.TEST
        ),
        "old": m.WorkType.objects.create(
            school=world.school, name="Старый тип", weight=Decimal("2"), lesson_kind=m.LessonKind.LAB, is_active=False
        ),
    }


# --- Marks: what is stored -------------------------------------------------------------


def test_teacher_puts_a_mark_with_the_default_work_type_its_weight_and_a_history_row(
    world: World, lesson: m.Lesson, work_types: dict[str, m.WorkType]
) -> None:
    teacher = world.users["teacher"]
    mark = mark_set(actor=teacher, lesson=lesson, student=world.child, value="5", comment=" у доски ")

    mark.refresh_from_db()
    assert (mark.value, mark.position, mark.version, mark.author) == ("5", 1, 1, teacher)
    assert mark.work_type == work_types["answer"]
    assert mark.weight == Decimal("1")
    assert mark.comment == "у доски"
    assert mark.is_late is False
    history = list(m.Mark.history.filter(id=mark.pk))
    assert len(history) == 1
    assert history[0].history_type == "+"
    assert history[0].history_user == teacher


def test_a_test_lesson_defaults_to_the_test_work_type_and_copies_its_weight(
    world: World, work_types: dict[str, m.WorkType]
) -> None:
    test_lesson = make_lesson(world.math_5a, kind=m.LessonKind.TEST)
    mark = mark_set(actor=world.users["teacher"], lesson=test_lesson, student=world.child, value="4")
    assert mark.work_type == work_types["test"]
    assert mark.weight == Decimal("3")


def test_without_a_work_type_for_the_kind_the_general_one_is_taken_and_inactive_ones_are_skipped(
    world: World, work_types: dict[str, m.WorkType]
) -> None:
    lab = make_lesson(world.math_5a, kind=m.LessonKind.LAB)
    mark = mark_set(actor=world.users["teacher"], lesson=lab, student=world.child, value="4")
    assert mark.work_type == work_types["answer"]


def test_a_chosen_work_type_gives_its_weight_and_an_inactive_one_is_refused(
    world: World, lesson: m.Lesson, work_types: dict[str, m.WorkType]
) -> None:
    mark = mark_set(
        actor=world.users["teacher"], lesson=lesson, student=world.child, value="3", work_type=work_types["test"]
    )
    assert (mark.work_type, mark.weight) == (work_types["test"], Decimal("3"))
    with pytest.raises(ValidationError) as exc:
        mark_set(
            actor=world.users["teacher"],
            lesson=lesson,
            student=world.other_child,
            value="3",
            work_type=work_types["old"],
        )
    assert "Старый тип" in messages(exc)


def test_a_school_without_work_types_stores_weight_one(world: World, lesson: m.Lesson) -> None:
    mark = mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="5")
    assert mark.work_type is None
    assert mark.weight == Decimal("1")


def test_a_cell_holds_two_marks_in_positions_one_and_two_and_no_third(world: World, lesson: m.Lesson) -> None:
    teacher = world.users["teacher"]
    mark_set(actor=teacher, lesson=lesson, student=world.child, value="4", position=1)
    mark_set(actor=teacher, lesson=lesson, student=world.child, value="5", position=2)
    assert list(m.Mark.objects.filter(lesson=lesson, student=world.child).values_list("position", "value")) == [
        (1, "4"),
        (2, "5"),
    ]
    with pytest.raises(ValidationError) as exc:
        mark_set(actor=teacher, lesson=lesson, student=world.child, value="3", position=3)
    assert "position 3" in messages(exc)
    assert m.Mark.objects.filter(lesson=lesson).count() == 2


def test_changing_a_mark_needs_its_version_and_writes_a_history_row_by_the_actor(
    world: World, lesson: m.Lesson, work_types: dict[str, m.WorkType]
) -> None:
    teacher = world.users["teacher"]
    first = mark_set(actor=teacher, lesson=lesson, student=world.child, value="3", work_type=work_types["test"])
    changed = mark_set(actor=teacher, lesson=lesson, student=world.child, value="4", expected_version=1)

    changed.refresh_from_db()
    assert changed.pk == first.pk
    assert (changed.value, changed.version) == ("4", 2)
    assert changed.work_type == work_types["test"], "a changed value keeps the work type chosen before"
    rows = list(m.Mark.history.filter(id=first.pk).order_by("history_date"))
    assert [(r.value, r.version, r.history_type, r.history_user) for r in rows] == [
        ("3", 1, "+", teacher),
        ("4", 2, "~", teacher),
    ]


def test_a_save_based_on_an_old_version_is_refused_with_the_stored_value_and_its_author(
    world: World, lesson: m.Lesson
) -> None:
    teacher = world.users["teacher"]
    mark_set(actor=teacher, lesson=lesson, student=world.child, value="3")
    mark_set(actor=teacher, lesson=lesson, student=world.child, value="4", expected_version=1)

    with pytest.raises(StaleEdit) as exc:
        mark_set(actor=teacher, lesson=lesson, student=world.child, value="5", expected_version=1)
    assert (exc.value.value, exc.value.author, exc.value.current_version) == ("4", teacher, 2)
    assert "«4»" in messages(exc)
    assert "Иванова" in messages(exc)

    with pytest.raises(StaleEdit) as exc:
        mark_set(actor=teacher, lesson=lesson, student=world.child, value="5")  # "new", but the cell has one
    assert exc.value.value == "4"
    assert m.Mark.objects.get(lesson=lesson, student=world.child).value == "4"
    assert m.Mark.history.filter(lesson_id=lesson.pk).count() == 2


def test_deleting_a_mark_keeps_its_history_and_a_stale_delete_is_refused(world: World, lesson: m.Lesson) -> None:
    teacher = world.users["teacher"]
    mark = mark_set(actor=teacher, lesson=lesson, student=world.child, value="2")
    mark_set(actor=teacher, lesson=lesson, student=world.child, value="3", expected_version=1)

    with pytest.raises(StaleEdit):
        mark_delete(actor=teacher, mark=mark, expected_version=1)
    assert m.Mark.objects.filter(pk=mark.pk).exists()

    mark_delete(actor=teacher, mark=mark, expected_version=2)
    assert not m.Mark.objects.filter(pk=mark.pk).exists()
    last = m.Mark.history.filter(id=mark.pk).latest("history_date")
    assert (last.history_type, last.history_user, last.value) == ("-", teacher, "3")

    with pytest.raises(StaleEdit) as exc:
        mark_set(actor=teacher, lesson=lesson, student=world.child, value="5", expected_version=2)
    assert exc.value.value is None
    assert exc.value.author == teacher
    assert "cleared" in messages(exc)


# --- Marks: what is refused ---------------------------------------------------------------


def test_no_marks_in_grade_one_but_attendance_is_kept(world: World) -> None:
    class_1 = new_class(world, 1, "В")
    course = new_course(class_1, new_subject(world, "Математика"))
    pupil = new_student(world)
    enrolment_create(actor=None, student=pupil, class_group=class_1, date_from=YEAR_START)
    lesson = make_lesson(course)

    with pytest.raises(ValidationError) as exc:
        mark_set(actor=world.users["teacher"], lesson=lesson, student=pupil, value="5")
    assert "Marks are not given in grade 1" in messages(exc)
    assert "§" not in messages(exc)  # no clause numbers in what users read
    assert not m.Mark.objects.filter(lesson=lesson).exists()

    attendance_set(actor=world.users["teacher"], lesson=lesson, student=pupil, status="absent")
    assert m.Attendance.objects.filter(lesson=lesson, student=pupil).exists()


def test_the_curriculum_assessment_rules_the_marks_a_course_takes(world: World) -> None:
    teacher = world.users["teacher"]
    ethics, music = new_subject(world, "ОРКСЭ"), new_subject(world, "Музыка")
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=ethics, hours_per_week=1, assessment="pass_fail")
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=music, hours_per_week=1, assessment="none")
    pass_fail = make_lesson(new_course(world.class_5a, ethics))
    ungraded = make_lesson(new_course(world.class_5a, music))

    with pytest.raises(ValidationError) as exc:
        mark_set(actor=teacher, lesson=pass_fail, student=world.child, value="5")
    assert "pass/fail" in messages(exc)
    assert mark_set(actor=teacher, lesson=pass_fail, student=world.child, value="зач").value == "зч"
    with pytest.raises(ValidationError, match="not assessed"):
        mark_set(actor=teacher, lesson=ungraded, student=world.child, value="5")
    attendance_set(actor=teacher, lesson=ungraded, student=world.child, status="absent")
    assert list(m.Mark.objects.values_list("value", flat=True)) == ["зч"]


def test_the_policy_can_start_marks_later_and_that_applies_from_its_date(world: World) -> None:
    later = RECENT - datetime.timedelta(days=3)
    m.GradingPolicy.objects.create(school=world.school, valid_from=later, marks_from_grade=6)
    before = make_lesson(world.math_5a, later - datetime.timedelta(days=1))
    after = make_lesson(world.math_5a, RECENT)

    mark_set(actor=world.users["teacher"], lesson=before, student=world.child, value="5")
    with pytest.raises(ValidationError) as exc:
        mark_set(actor=world.users["teacher"], lesson=after, student=world.child, value="5")
    assert "grade 5" in messages(exc)


@pytest.mark.parametrize("value", ["6", "0", "1", "5+", "отл", "н"])
def test_values_off_the_default_scale_are_refused_naming_the_value(world: World, lesson: m.Lesson, value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value=value)
    assert f"«{value}» is not a mark of the school's scale" in messages(exc)
    assert not m.Mark.objects.exists()


def test_one_is_on_the_scale_only_when_the_policy_says_so(world: World, lesson: m.Lesson) -> None:
    m.GradingPolicy.objects.create(school=world.school, valid_from=YEAR_START, lowest_mark=1)
    mark = mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="1")
    assert mark.value == "1"


@pytest.mark.parametrize(
    ("typed", "stored"), [("зч", "зч"), ("нз", "нз"), ("н/а", "на"), ("НА", "на"), ("осв.", "осв"), (" 4 ", "4")]
)
def test_non_numeric_marks_are_always_allowed_in_their_stored_form(
    world: World, lesson: m.Lesson, typed: str, stored: str
) -> None:
    mark = mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value=typed)
    assert mark.value == stored


def test_nothing_is_entered_on_a_cancelled_lesson(world: World) -> None:
    cancelled = make_lesson(world.math_5a, status=m.LessonStatus.CANCELLED)
    teacher = world.users["teacher"]
    with pytest.raises(ValidationError) as exc:
        mark_set(actor=teacher, lesson=cancelled, student=world.child, value="5")
    assert "is cancelled" in messages(exc)
    with pytest.raises(ValidationError):
        attendance_set(actor=teacher, lesson=cancelled, student=world.child, status="absent")
    with pytest.raises(ValidationError):
        homework_set(actor=teacher, lesson=cancelled, text="§ 5")
    assert not m.Mark.objects.exists() and not m.Attendance.objects.exists() and not m.Homework.objects.exists()


def test_a_lesson_cancelled_after_the_page_was_built_is_refused_too(world: World, lesson: m.Lesson) -> None:
    m.Lesson.objects.filter(pk=lesson.pk).update(status=m.LessonStatus.CANCELLED)
    with pytest.raises(ValidationError):
        mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="5")


def test_a_student_who_arrived_later_or_left_earlier_gets_no_mark_that_day(world: World) -> None:
    day = RECENT - datetime.timedelta(days=5)
    lesson = make_lesson(world.math_5a, day)
    newcomer = new_student(world, last_name="Новенький")
    enrolment_create(actor=None, student=newcomer, class_group=world.class_5a, date_from=day + datetime.timedelta(1))
    leaver = new_student(world, last_name="Ушедший")
    m.Enrolment.objects.create(
        student=leaver, class_group=world.class_5a, date_from=YEAR_START, date_to=day - datetime.timedelta(1)
    )
    teacher = world.users["teacher"]

    for student in (newcomer, leaver, world.student_6b):
        with pytest.raises(ValidationError) as exc:
            mark_set(actor=teacher, lesson=lesson, student=student, value="5")
        assert f"is not in class {world.class_5a} on {day:%d.%m.%Y}" in messages(exc)
        with pytest.raises(ValidationError):
            attendance_set(actor=teacher, lesson=lesson, student=student, status="absent")
    assert not m.Mark.objects.exists() and not m.Attendance.objects.exists()

    on_their_days = make_lesson(world.math_5a, day + datetime.timedelta(1))
    assert mark_set(actor=teacher, lesson=on_their_days, student=newcomer, value="4").value == "4"


def test_a_subgroup_course_takes_marks_only_for_its_members(world: World) -> None:
    english = new_subject(world, "Английский язык")
    group = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="1 группа")
    group.members.add(world.child)
    course = new_course(world.class_5a, english, subgroup=group)
    lesson = make_lesson(course)
    teacher = world.users["teacher"]

    assert mark_set(actor=teacher, lesson=lesson, student=world.child, value="5").value == "5"
    with pytest.raises(ValidationError) as exc:
        mark_set(actor=teacher, lesson=lesson, student=world.other_child, value="5")
    assert "is not in the subgroup «1 группа»" in messages(exc)


def _quarter(world: World, *, locked: bool, kind: str = m.PeriodKind.QUARTER, number: int = 1) -> m.StudyPeriod:
    return m.StudyPeriod.objects.create(
        year=world.year,
        kind=kind,
        number=number,
        start=RECENT - datetime.timedelta(days=20),
        end=RECENT + datetime.timedelta(days=20),
        is_locked=locked,
    )


def test_a_locked_period_is_read_only(world: World, lesson: m.Lesson) -> None:
    teacher = world.users["teacher"]
    mark = mark_set(actor=teacher, lesson=lesson, student=world.child, value="4")
    absence = attendance_set(actor=teacher, lesson=lesson, student=world.other_child, status="absent")
    _quarter(world, locked=True)

    with pytest.raises(ValidationError) as exc:
        mark_set(actor=teacher, lesson=lesson, student=world.child, value="5", expected_version=1)
    assert "is locked; ask the deputy to unlock it" in messages(exc)
    with pytest.raises(ValidationError):
        mark_delete(actor=teacher, mark=mark, expected_version=1)
    with pytest.raises(ValidationError):
        attendance_set_reason(actor=teacher, attendance=absence, reason="illness", expected_version=1)
    with pytest.raises(ValidationError):
        attendance_clear(actor=teacher, attendance=absence, expected_version=1)
    with pytest.raises(ValidationError):
        homework_set(actor=teacher, lesson=lesson, text="§ 5")
    mark.refresh_from_db()
    absence.refresh_from_db()
    assert (mark.value, absence.reason) == ("4", "unknown")


def test_the_lock_that_counts_is_the_one_of_the_grades_period_scheme(world: World, lesson: m.Lesson) -> None:
    m.GradePeriodScheme.objects.create(year=world.year, grade=5, kind=m.PeriodKind.HALF_YEAR)
    _quarter(world, locked=True)
    _quarter(world, locked=False, kind=m.PeriodKind.HALF_YEAR)
    assert mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="5").value == "5"


# --- Late entry (§4.4) --------------------------------------------------------------------


@pytest.mark.dated
def test_a_mark_entered_after_the_seven_days_of_grades_5_to_11_is_allowed_but_flagged_late(world: World) -> None:
    teacher = world.users["teacher"]
    old = make_lesson(world.math_5a, TODAY - datetime.timedelta(days=10))
    week = make_lesson(world.math_5a, TODAY - datetime.timedelta(days=7))
    assert mark_set(actor=teacher, lesson=old, student=world.child, value="5").is_late is True
    assert mark_set(actor=teacher, lesson=week, student=world.child, value="5").is_late is False


@pytest.mark.dated
def test_primary_grades_have_three_days_and_a_test_without_a_results_date_the_grade_rule(world: World) -> None:
    class_2 = new_class(world, 2, "Г")
    course = new_course(class_2, new_subject(world, "Математика"))
    pupil = new_student(world)
    enrolment_create(actor=None, student=pupil, class_group=class_2, date_from=YEAR_START)
    teacher = world.users["teacher"]

    four_days_ago = make_lesson(course, TODAY - datetime.timedelta(days=4))
    three_days_ago = make_lesson(course, TODAY - datetime.timedelta(days=3))
    assert mark_set(actor=teacher, lesson=four_days_ago, student=pupil, value="5").is_late is True
    assert mark_set(actor=teacher, lesson=three_days_ago, student=pupil, value="5").is_late is False

    # Without a results date a test follows the grade rule (7 days in grade 5; see test_test_results.py).
    test_two_days_ago = make_lesson(world.math_5a, TODAY - datetime.timedelta(days=2), kind=m.LessonKind.TEST)
    assert mark_set(actor=teacher, lesson=test_two_days_ago, student=world.child, value="3").is_late is False


# --- Attendance ---------------------------------------------------------------------------


def test_attendance_is_set_changed_and_cleared_with_a_history_row_each_time(world: World, lesson: m.Lesson) -> None:
    teacher = world.users["teacher"]
    row = attendance_set(actor=teacher, lesson=lesson, student=world.child, status="absent")
    assert (row.status, row.reason, row.version) == ("absent", "unknown", 1)

    row = attendance_set(
        actor=teacher, lesson=lesson, student=world.child, status="late", reason="excused", expected_version=1
    )
    row.refresh_from_db()
    assert (row.status, row.reason, row.version) == ("late", "excused", 2)

    with pytest.raises(StaleEdit) as exc:
        attendance_set(actor=teacher, lesson=lesson, student=world.child, status="absent")
    assert exc.value.value == "ОП"
    with pytest.raises(StaleEdit):
        attendance_clear(actor=teacher, attendance=row, expected_version=1)

    attendance_clear(actor=teacher, attendance=row, expected_version=2)
    assert not m.Attendance.objects.filter(lesson=lesson).exists()
    history = list(m.Attendance.history.filter(id=row.pk).order_by("history_date"))
    assert [(h.history_type, h.status, h.history_user) for h in history] == [
        ("+", "absent", teacher),
        ("~", "late", teacher),
        ("-", "late", teacher),
    ]


def test_unknown_status_or_reason_is_refused(world: World, lesson: m.Lesson) -> None:
    with pytest.raises(ValidationError) as exc:
        attendance_set(actor=world.users["teacher"], lesson=lesson, student=world.child, status="present")
    assert "«present»" in messages(exc)
    with pytest.raises(ValidationError):
        attendance_set(
            actor=world.users["teacher"], lesson=lesson, student=world.child, status="absent", reason="sleep"
        )


def test_the_class_teacher_changes_only_the_reason_of_an_absence(world: World, lesson: m.Lesson) -> None:
    teacher = world.users["teacher"]
    class_teacher = world.users["class_teacher"]
    school = world.school
    assert writes_lesson(teacher, school, lesson) is True
    assert sets_absence_reason(teacher, school, lesson) is True
    assert writes_lesson(class_teacher, school, lesson) is False
    assert sets_absence_reason(class_teacher, school, lesson) is True
    for outsider in ("other_teacher", "parent", "student", "foreign_teacher"):
        assert writes_lesson(world.users[outsider], school, lesson) is False
        assert sets_absence_reason(world.users[outsider], school, lesson) is False

    absence = attendance_set(actor=teacher, lesson=lesson, student=world.child, status="absent")
    changed = attendance_set_reason(actor=class_teacher, attendance=absence, reason="illness", expected_version=1)
    changed.refresh_from_db()
    assert (changed.status, changed.reason, changed.version, changed.author) == ("absent", "illness", 2, class_teacher)
    last = m.Attendance.history.filter(id=absence.pk).latest("history_date")
    assert (last.reason, last.history_user) == ("illness", class_teacher)

    with pytest.raises(StaleEdit) as exc:
        attendance_set_reason(actor=teacher, attendance=absence, reason="unexcused", expected_version=1)
    assert (exc.value.value, exc.value.author) == ("Б", class_teacher)


# --- Homework -----------------------------------------------------------------------------


def test_homework_is_set_changed_and_cleared_with_history(world: World, lesson: m.Lesson) -> None:
    teacher = world.users["teacher"]
    due = lesson.date + datetime.timedelta(days=2)
    homework = homework_set(actor=teacher, lesson=lesson, text="  § 12, № 3  ", due_date=due)
    assert (homework.text, homework.due_date, homework.version) == ("§ 12, № 3", due, 1)

    with pytest.raises(StaleEdit) as exc:
        homework_set(actor=teacher, lesson=lesson, text="§ 13")
    assert exc.value.value == "§ 12, № 3"
    homework = homework_set(actor=teacher, lesson=lesson, text="§ 13", expected_version=1)
    assert homework.version == 2

    with pytest.raises(ValidationError) as refused:
        homework_set(actor=teacher, lesson=lesson, text="§ 14", due_date=lesson.date - datetime.timedelta(1))
    assert "before the lesson" in messages(refused)
    with pytest.raises(ValidationError):
        homework_set(actor=teacher, lesson=lesson, text="   ", expected_version=2)

    homework_clear(actor=teacher, homework=homework, expected_version=2)
    assert not m.Homework.objects.filter(lesson=lesson).exists()
    assert [(h.history_type, h.text, h.history_user) for h in m.Homework.history.order_by("history_date")] == [
        ("+", "§ 12, № 3", teacher),
        ("~", "§ 13", teacher),
        ("-", "§ 13", teacher),
    ]


# --- What a teacher types -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "marks", "attendance"),
    [
        ("5", ["5"], None),
        ("4/5", ["4", "5"], None),
        (" 3 / 4 ", ["3", "4"], None),
        ("н", [], ("absent", "unknown")),
        ("Н", [], ("absent", "unknown")),
        ("H", [], ("absent", "unknown")),  # Latin H on the wrong layout
        ("б", [], ("absent", "illness")),
        ("уп", [], ("absent", "excused")),
        ("yп", [], ("absent", "excused")),  # Latin y
        ("нп", [], ("absent", "unexcused")),
        ("оп", [], ("late", "unknown")),
        ("ОП 5", ["5"], ("late", "unknown")),
        ("зч", ["зч"], None),
        ("нз", ["нз"], None),
        ("н/а", ["на"], None),
        ("Н/А", ["на"], None),
        ("осв.", ["осв"], None),
        ("осв", ["осв"], None),
    ],
)
def test_cell_input_is_understood(
    world: World, typed: str, marks: list[str], attendance: tuple[str, str] | None
) -> None:
    parsed = parse_cell_input(typed, policy_for(world.school, RECENT))
    assert parsed == CellInput(marks=marks, attendance=attendance)


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_cell_input_means_clear(world: World, typed: str) -> None:
    parsed = parse_cell_input(typed, policy_for(world.school, RECENT))
    assert parsed.is_empty


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("6", "«6» is not a mark or an attendance letter"),
        ("1", "«1» is not a mark or an attendance letter"),
        ("5+", "«5+» is not a mark or an attendance letter"),
        ("qq", "«qq» is not a mark or an attendance letter"),
        ("3/4/5", "«3/4/5»: a cell holds two marks at most"),
        ("н б", "«н б»: a cell holds one attendance letter at most"),
    ],
)
def test_cell_input_that_is_not_a_mark_or_a_letter_is_refused_naming_it(
    world: World, typed: str, expected: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_cell_input(typed, policy_for(world.school, RECENT))
    assert expected in messages(exc)


def test_cell_input_follows_the_policys_letters_and_scale(world: World) -> None:
    policy = m.GradingPolicy.objects.create(
        school=world.school, valid_from=YEAR_START, lowest_mark=1, letter_absent="ОТ", letter_illness="Б"
    )
    assert parse_cell_input("1", policy).marks == ["1"]
    assert parse_cell_input("от", policy).attendance == ("absent", "unknown")
    with pytest.raises(ValidationError) as exc:
        parse_cell_input("н", policy)
    assert "ОТ" in messages(exc)


# --- The course page (selector) --------------------------------------------------------------


def _grid_world(world: World, lessons: int, extra_students: int, slot: int) -> tuple[datetime.date, datetime.date]:
    start = RECENT - datetime.timedelta(days=lessons)
    teacher = world.users["teacher"]
    for i in range(extra_students):
        enrolment_create(
            actor=None, student=new_student(world, last_name=f"Ученик{i}"), class_group=world.class_5a, date_from=start
        )
    students = [e.student for e in m.Enrolment.objects.filter(class_group=world.class_5a).select_related("student")]
    for day in range(lessons):
        lesson = make_lesson(world.math_5a, start + datetime.timedelta(days=day), slot)
        homework_set(actor=teacher, lesson=lesson, text=f"§ {day}")
        for student in students:
            mark_set(actor=teacher, lesson=lesson, student=student, value="4")
        attendance_set(actor=teacher, lesson=lesson, student=students[0], status="late")
    return start, RECENT


def test_the_course_page_shows_cells_only_on_enrolled_days_with_averages(world: World) -> None:
    from journal.selectors.journal_grid import course_grid

    teacher = world.users["teacher"]
    first = make_lesson(world.math_5a, RECENT - datetime.timedelta(days=4))
    second = make_lesson(world.math_5a, RECENT - datetime.timedelta(days=2), kind=m.LessonKind.TEST)
    test_type = m.WorkType.objects.create(
        school=world.school, name="Контрольная работа", weight=Decimal("3"), lesson_kind=m.LessonKind.TEST
    )
    newcomer = new_student(world, last_name="Яковлев")
    enrolment_create(actor=None, student=newcomer, class_group=world.class_5a, date_from=second.date)
    mark_set(actor=teacher, lesson=first, student=world.child, value="3")
    mark_set(actor=teacher, lesson=second, student=world.child, value="5")
    mark_set(actor=teacher, lesson=second, student=world.child, value="зч", position=2)
    attendance_set(actor=teacher, lesson=first, student=world.other_child, status="absent", reason="illness")

    grid = course_grid(world.math_5a, RECENT - datetime.timedelta(days=10), RECENT)
    by_name = {row.student.last_name: row for row in grid.rows}
    assert [lesson.pk for lesson in grid.lessons] == [first.pk, second.pk]
    assert set(by_name) == {"Соколов", "Волкова", "Яковлев"}
    child = by_name["Соколов"]
    assert [child.cells[lesson.pk].marks for lesson in (first, second)] == [["3"], ["5", "зч"]]
    assert child.average == Decimal("4.50")  # (3×1 + 5×3) / 4: зч left out
    # The count is of the marks that assess (зачёт too, as on the final-marks page and in the diary).
    assert (child.marks_count, child.suggested) == (3, "4")
    assert by_name["Волкова"].cells[first.pk].text == "Б"
    assert [by_name["Яковлев"].entry.attends(lesson.date) for lesson in (first, second)] == [False, True]
    assert grid.marks_allowed and grid.minimum_marks == 3
    assert m.Mark.objects.get(lesson=second, position=1).work_type_id == test_type.pk


def test_the_course_page_takes_the_same_number_of_queries_for_more_students_and_lessons(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from journal.selectors.journal_grid import course_grid

    course = m.Course.objects.select_related("class_group__year__school").get(pk=world.math_5a.pk)
    start, end = _grid_world(world, lessons=2, extra_students=0, slot=1)
    with CaptureQueriesContext(connection) as small:
        course_grid(course, start, end)
    start, end = _grid_world(world, lessons=8, extra_students=6, slot=2)
    with CaptureQueriesContext(connection) as large:
        grid = course_grid(course, start - datetime.timedelta(days=30), end)
    assert len(grid.rows) == 8 and len(grid.lessons) >= 10
    assert len(large) == len(small) <= 10


def test_marks_and_attendance_left_on_a_lesson_cancelled_later_can_still_be_removed(
    world: World, lesson: m.Lesson
) -> None:
    teacher = world.users["teacher"]
    mark = mark_set(actor=teacher, lesson=lesson, student=world.child, value="5")
    absence = attendance_set(actor=teacher, lesson=lesson, student=world.other_child, status="absent")
    m.Lesson.objects.filter(pk=lesson.pk).update(status=m.LessonStatus.CANCELLED)

    mark_delete(actor=teacher, mark=mark, expected_version=1)
    attendance_clear(actor=teacher, attendance=absence, expected_version=1)
    assert not m.Mark.objects.exists() and not m.Attendance.objects.exists()


# --- A batch of cells (the grid's cells typed while a save was in flight) -----------------------------


def test_a_batch_saves_each_cell_on_its_own_and_a_stale_cell_answers_conflict_while_the_others_are_saved(
    world: World, lesson: m.Lesson
) -> None:
    from journal.services.marks import CellEdit, CellResult, cells_set
    from messaging.models import Notification, NotificationAudience, NotificationKind

    teacher = world.users["teacher"]
    third = new_student(world, last_name="Третьякова")
    enrolment_create(actor=None, student=third, class_group=world.class_5a, date_from=YEAR_START)
    # A «4» was put for the other child (on another device) after the page was opened: it saw the cell empty.
    mark_set(actor=teacher, lesson=lesson, student=world.other_child, value="4")

    answers = cells_set(
        actor=teacher,
        school=world.school,
        course_id=lesson.course_id,
        cells=[
            CellEdit(lesson.pk, world.child.pk, "2", {"1": None, "2": None, "att": None}),
            CellEdit(lesson.pk, world.other_child.pk, "5", {"1": None, "2": None, "att": None}),
            CellEdit(lesson.pk, third.pk, "н", {"1": None, "2": None, "att": None}),
        ],
    )

    saved, stale, absent = answers
    assert isinstance(saved, CellResult) and saved.state.text == "2"
    assert isinstance(stale, StaleEdit) and stale.state is not None and stale.state.text == "4"
    assert isinstance(absent, CellResult) and absent.state.text == "Н"  # unexcused, as typed
    assert sorted(m.Mark.objects.values_list("student_id", "value")) == sorted(
        [(world.child.pk, "2"), (world.other_child.pk, "4")]
    )
    assert list(m.Attendance.objects.values_list("student_id", "status")) == [(third.pk, "absent")]
    # Each cell keeps its own history row with its author, and the «2» is told to the parents.
    child_mark = m.Mark.objects.get(student=world.child)
    assert [(h.history_type, h.history_user) for h in m.Mark.history.filter(id=child_mark.pk)] == [("+", teacher)]
    assert m.Attendance.history.filter(student=third, history_user=teacher).count() == 1
    assert m.Mark.history.filter(student=world.other_child).count() == 1  # the refused «5» left none
    low = Notification.objects.filter(kind=NotificationKind.LOW_MARK, audience=NotificationAudience.PARENT)
    assert set(low.values_list("student_id", flat=True)) == {world.child.pk}


def test_a_batch_of_one_is_the_single_save_and_a_batch_too_long_is_refused(world: World, lesson: m.Lesson) -> None:
    from journal.services.marks import BATCH_MAX_CELLS, CellEdit, cells_set

    teacher = world.users["teacher"]
    edit = CellEdit(lesson.pk, world.child.pk, "5", {"1": None, "2": None, "att": None})
    with pytest.raises(ValidationError):
        cells_set(actor=teacher, school=world.school, course_id=lesson.course_id, cells=[edit] * (BATCH_MAX_CELLS + 1))
    assert not m.Mark.objects.exists()
    (answer,) = cells_set(actor=teacher, school=world.school, course_id=lesson.course_id, cells=[edit])
    assert m.Mark.objects.get().value == "5"
    assert not isinstance(answer, Exception) and answer.state.versions["1"] == 1
