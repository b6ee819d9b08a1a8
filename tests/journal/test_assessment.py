"""Assessment procedures: each rule of DESIGN.md warns when broken and stays quiet when kept.

A class's day is framed by «Чтение» lessons in slots 1 and 6, so a test in
slots 2–5 is in the middle of the day unless a test says otherwise. Each
course gets ordinary lessons in spring so that one or two autumn tests stay
well under 10 % of the year.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from journal import models as m
from journal.selectors.assessment import (
    RULE_EDGE,
    RULE_FREQUENCY,
    RULE_PER_DAY,
    RULE_SHARE,
    assessment_schedule,
    assessment_warnings,
)
from journal.services.structure import teaching_assignment_create
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, SubjectFactory

MONDAY = datetime.date(2026, 10, 5)
SPRING = datetime.date(2027, 2, 1)


@pytest.fixture(autouse=True)
def english(settings) -> Iterator[None]:
    """Messages are compared with their English msgids here, whatever catalogs are compiled;
    their Russian is checked in the ``*_ru`` module beside this one."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def reading(world: World) -> m.Course:
    return m.Course.objects.create(
        class_group=world.class_5a, subject=SubjectFactory(school=world.school, name="Чтение")
    )


@pytest.fixture
def russian_5a(world: World) -> m.Course:
    course = m.Course.objects.create(class_group=world.class_5a, subject=world.russian_6b.subject)
    teaching_assignment_create(actor=None, course=course, teacher=world.users["other_teacher"], date_from=YEAR_START)
    return course


@pytest.fixture
def quarter(world: World) -> m.StudyPeriod:
    return m.StudyPeriod.objects.create(
        year=world.year, kind=m.PeriodKind.QUARTER, number=1, start=YEAR_START, end=datetime.date(2026, 10, 25)
    )


def spring_lessons(course: m.Course, n: int) -> None:
    """``n`` ordinary lessons of the course in spring, one a day in slot 3."""
    m.Lesson.objects.bulk_create(
        m.Lesson(course=course, date=SPRING + datetime.timedelta(days=i), slot=3) for i in range(n)
    )


def frame_day(course: m.Course, day: datetime.date, slots: tuple[int, ...] = (1, 6)) -> None:
    for slot in slots:
        m.Lesson.objects.get_or_create(course=course, date=day, slot=slot)


def test_lesson(course: m.Course, day: datetime.date, slot: int, **fields: object) -> m.Lesson:
    teacher = course.assignments.order_by("date_from").first()
    return m.Lesson.objects.create(
        course=course,
        date=day,
        slot=slot,
        kind=m.LessonKind.TEST,
        teacher=teacher.teacher if teacher else None,
        **fields,
    )


test_lesson.__test__ = False  # a helper, not a test


def rules(world: World) -> dict[int, set[str]]:
    found = assessment_warnings(world.year, [world.class_5a.pk, world.class_6b.pk])
    return {lesson_id: {w.rule for w in warnings} for lesson_id, warnings in found.items()}


def messages_of(world: World, lesson: m.Lesson) -> list[str]:
    return [w.message for w in assessment_warnings(world.year, [world.class_5a.pk]).get(lesson.pk, [])]


# --- one a day per class ----------------------------------------------------------------------


def test_two_tests_of_a_class_on_one_day_are_both_warned(world: World, reading: m.Course, russian_5a: m.Course) -> None:
    spring_lessons(world.math_5a, 40)
    spring_lessons(russian_5a, 40)
    frame_day(reading, MONDAY)
    maths = test_lesson(world.math_5a, MONDAY, 3)
    russian = test_lesson(russian_5a, MONDAY, 4)

    assert rules(world) == {maths.pk: {RULE_PER_DAY}, russian.pk: {RULE_PER_DAY}}
    assert messages_of(world, maths) == [
        "Class 5А has 2 tests on 05.10.2026 (Математика, Русский язык): at most one a day."
    ]


def test_one_test_a_day_and_tests_of_two_groups_of_one_subject_are_not_warned(world: World, reading: m.Course) -> None:
    english = SubjectFactory(school=world.school, name="Английский язык")
    groups = [m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name=f"{n} гр.") for n in (1, 2)]
    courses = [m.Course.objects.create(class_group=world.class_5a, subject=english, subgroup=g) for g in groups]
    for course in [*courses, world.math_5a]:
        spring_lessons(course, 40)
    frame_day(reading, MONDAY)
    frame_day(reading, MONDAY + datetime.timedelta(days=1))
    test_lesson(courses[0], MONDAY, 3)
    test_lesson(courses[1], MONDAY, 4)
    test_lesson(world.math_5a, MONDAY + datetime.timedelta(days=1), 3)

    assert rules(world) == {}


def test_tests_of_different_classes_on_one_day_are_not_warned(world: World, reading: m.Course) -> None:
    spring_lessons(world.math_5a, 40)
    spring_lessons(world.russian_6b, 40)
    frame_day(reading, MONDAY)
    reading_6b = m.Course.objects.create(class_group=world.class_6b, subject=reading.subject)
    frame_day(reading_6b, MONDAY)
    test_lesson(world.math_5a, MONDAY, 3)
    test_lesson(world.russian_6b, MONDAY, 3)

    assert rules(world) == {}


# --- not the first or last lesson ---------------------------------------------------------------


@pytest.mark.parametrize(("slot", "which"), [(1, "first"), (6, "last")])
def test_a_test_in_the_first_or_last_lesson_is_warned_for_a_subject_with_more_lessons_a_week(
    world: World, reading: m.Course, slot: int, which: str
) -> None:
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=5)
    spring_lessons(world.math_5a, 40)
    frame_day(reading, MONDAY, slots=tuple({1, 6} - {slot}) + (3,))
    test = test_lesson(world.math_5a, MONDAY, slot)

    assert rules(world) == {test.pk: {RULE_EDGE}}
    assert messages_of(world, test) == [
        f"Lesson {slot} is the {which} lesson of class 5А on 05.10.2026 (lessons 1–6); only a subject with one "
        "lesson a week may have its test there (Математика: 5 a week)."
    ]


def test_a_subject_with_one_lesson_a_week_may_test_in_the_first_lesson(world: World, reading: m.Course) -> None:
    m.CurriculumItem.objects.create(
        year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=Decimal("1.0")
    )
    spring_lessons(world.math_5a, 40)
    frame_day(reading, MONDAY, slots=(2, 6))
    test_lesson(world.math_5a, MONDAY, 1)

    assert rules(world) == {}


def test_without_a_curriculum_line_the_weekly_hours_come_from_the_years_lessons(
    world: World, reading: m.Course
) -> None:
    spring_lessons(world.math_5a, 150)  # about four a week
    frame_day(reading, MONDAY, slots=(2, 6))
    test = test_lesson(world.math_5a, MONDAY, 1)

    assert rules(world) == {test.pk: {RULE_EDGE}}


# --- once per 2.5 weeks -------------------------------------------------------------------------


def test_a_second_test_of_a_course_within_two_and_a_half_weeks_is_warned(world: World, reading: m.Course) -> None:
    spring_lessons(world.math_5a, 40)
    later = MONDAY + datetime.timedelta(days=10)
    frame_day(reading, MONDAY)
    frame_day(reading, later)
    test_lesson(world.math_5a, MONDAY, 3)
    second = test_lesson(world.math_5a, later, 3)

    assert rules(world) == {second.pk: {RULE_FREQUENCY}}
    assert messages_of(world, second) == [
        "10 days after the previous test of 5А · Математика (05.10.2026): at most one per 2.5 weeks, "
        "at least 18 days apart."
    ]


def test_tests_eighteen_days_apart_are_not_warned(world: World, reading: m.Course) -> None:
    spring_lessons(world.math_5a, 40)
    later = MONDAY + datetime.timedelta(days=18)
    frame_day(reading, MONDAY)
    frame_day(reading, later)
    test_lesson(world.math_5a, MONDAY, 3)
    test_lesson(world.math_5a, later, 3)

    assert rules(world) == {}


def test_the_previous_test_may_lie_in_another_period(world: World, reading: m.Course, quarter: m.StudyPeriod) -> None:
    spring_lessons(world.math_5a, 40)
    last_of_q1 = datetime.date(2026, 10, 23)
    first_of_q2 = datetime.date(2026, 11, 9)
    frame_day(reading, last_of_q1)
    frame_day(reading, first_of_q2)
    test_lesson(world.math_5a, last_of_q1, 3)
    second = test_lesson(world.math_5a, first_of_q2, 3)

    assert rules(world) == {second.pk: {RULE_FREQUENCY}}


# --- 10 % of the yearly hours ---------------------------------------------------------------------


def test_tests_beyond_ten_percent_of_the_years_lessons_are_warned(world: World, reading: m.Course) -> None:
    spring_lessons(world.math_5a, 17)  # + 3 tests = 20 lessons: at most 2 tests
    days = [datetime.date(2026, 9, 7), datetime.date(2026, 9, 28), datetime.date(2026, 10, 19)]
    for day in days:
        frame_day(reading, day)
    tests = [test_lesson(world.math_5a, day, 3) for day in days]

    assert rules(world) == {tests[2].pk: {RULE_SHARE}}
    assert messages_of(world, tests[2]) == [
        "Test No. 3 of 5А · Математика: 3 tests in 20 lessons of the year is more than 10 % (at most 2)."
    ]


def test_ten_percent_exactly_is_allowed_and_cancelled_lessons_do_not_count(world: World, reading: m.Course) -> None:
    spring_lessons(world.math_5a, 18)  # + 2 tests = 20 lessons: 2 tests allowed
    days = [datetime.date(2026, 9, 7), datetime.date(2026, 9, 28), datetime.date(2026, 10, 19)]
    for day in days:
        frame_day(reading, day)
    test_lesson(world.math_5a, days[0], 3)
    test_lesson(world.math_5a, days[1], 3)
    test_lesson(world.math_5a, days[2], 3, status=m.LessonStatus.CANCELLED)

    assert rules(world) == {}


# --- the page and the spreadsheet ------------------------------------------------------------------


@pytest.fixture
def scheduled(world: World, reading: m.Course, russian_5a: m.Course) -> dict[str, m.Lesson]:
    """A warned 5А maths test (two tests that day), the 5А Russian one, and a clean 6Б Russian one."""
    for course in (world.math_5a, russian_5a, world.russian_6b):
        spring_lessons(course, 40)
    frame_day(reading, MONDAY)
    reading_6b = m.Course.objects.create(class_group=world.class_6b, subject=reading.subject)
    frame_day(reading_6b, MONDAY + datetime.timedelta(days=2))
    return {
        "maths": test_lesson(world.math_5a, MONDAY, 3),
        "russian_5a": test_lesson(russian_5a, MONDAY, 4),
        "russian_6b": test_lesson(world.russian_6b, MONDAY + datetime.timedelta(days=2), 2),
    }


def test_deputy_sees_every_classs_tests_with_the_warnings_highlighted(
    world: World, quarter: m.StudyPeriod, scheduled: dict[str, m.Lesson], client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").get(reverse("journal:assessment_period", args=[quarter.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert [c.name for c, _ in response.context["classes"]] == ["5А", "6Б"]
    assert page.count('class="table-warning"') == 2
    assert "Class 5А has 2 tests on 05.10.2026" in page
    assert response.context["warned_count"] == 2


def test_the_default_page_shows_the_current_years_period(
    world: World, quarter: m.StudyPeriod, scheduled: dict[str, m.Lesson], client_for: Callable[[str], Client]
) -> None:
    response = client_for("director").get(reverse("journal:assessment"))

    assert response.context["period"] == quarter
    assert response.context["tests_count"] == 3


def test_a_teacher_sees_only_their_own_courses_tests_but_the_whole_class_day_counts(
    world: World, quarter: m.StudyPeriod, scheduled: dict[str, m.Lesson], client_for: Callable[[str], Client]
) -> None:
    response = client_for("teacher").get(reverse("journal:assessment_period", args=[quarter.pk]))

    rows = [row for _, rows in response.context["classes"] for row in rows]
    assert [row.lesson for row in rows] == [scheduled["maths"]]
    assert {w.rule for w in rows[0].warnings} == {RULE_PER_DAY}  # another teacher's test made it


def test_the_schedule_xlsx_lists_class_subject_date_lesson_teacher_and_warning(
    world: World, quarter: m.StudyPeriod, scheduled: dict[str, m.Lesson], client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").get(reverse("journal:assessment_xlsx", args=[quarter.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(rows) == 4
    assert rows[1][:2] == ["5А", "Математика"] and rows[1][2].date() == MONDAY and rows[1][3] == 3
    assert rows[1][4] == world.users["teacher"].short_name
    assert rows[1][5].startswith("Class 5А has 2 tests on 05.10.2026")
    assert rows[3][:2] == ["6Б", "Русский язык"] and rows[3][5] is None


def test_the_schedule_of_a_teacher_holds_only_their_courses(
    world: World, quarter: m.StudyPeriod, scheduled: dict[str, m.Lesson], client_for: Callable[[str], Client]
) -> None:
    response = client_for("other_teacher").get(reverse("journal:assessment_xlsx", args=[quarter.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [(row[0].value, row[1].value) for row in sheet.iter_rows(min_row=2)] == [
        ("5А", "Русский язык"),
        ("6Б", "Русский язык"),
    ]


def test_tests_outside_the_period_are_not_listed(world: World, quarter: m.StudyPeriod, reading: m.Course) -> None:
    spring_lessons(world.math_5a, 40)
    frame_day(reading, datetime.date(2026, 11, 9))
    test_lesson(world.math_5a, datetime.date(2026, 11, 9), 3)

    assert assessment_schedule(world.users["deputy"], world.school, quarter) == []


# --- query budget ---------------------------------------------------------------------------------

_serial = count()


def _grow(world: World, quarter: m.StudyPeriod, n: int) -> None:
    """``n`` classes, each with a course, a spring year of lessons and a test in the quarter."""
    for _ in range(n):
        i = next(_serial)
        class_group = ClassGroupFactory(year=world.year, grade=7, letter=f"К{i}")
        course = m.Course.objects.create(class_group=class_group, subject=world.math_5a.subject)
        teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=YEAR_START)
        spring_lessons(course, 5)
        test_lesson(course, MONDAY + datetime.timedelta(days=i % 5), 1 + i % 6)


# The four of every page (session, user, school, roles), then:
#   5. the period with its year and school, 6. the tests with course, class, subject, subgroup and teacher
#   7. all tests of their classes in the year, 8. first/last lesson of each class day with a test
#   9. lessons of the year per course, 10. curriculum hours
#   11. the end of the last period, 12. holidays (study weeks, for courses without a curriculum line)
#   13. the periods of the year
ASSESSMENT_PAGE_BUDGET = 13


def test_the_assessment_page_query_count_does_not_grow_with_the_tests(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    client = client_for("deputy")
    url = reverse("journal:assessment_period", args=[quarter.pk])
    _grow(world, quarter, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).context["tests_count"] == 3
    _grow(world, quarter, 15)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).context["tests_count"] == 18

    assert len(many) == len(few)
    assert len(many) <= ASSESSMENT_PAGE_BUDGET, "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_the_periods_are_listed_quarters_first_then_half_years_then_the_year(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    def period(kind: str, number: int, start: datetime.date, end: datetime.date) -> m.StudyPeriod:
        return m.StudyPeriod.objects.create(year=world.year, kind=kind, number=number, start=start, end=end)

    year_end = datetime.date(2027, 5, 31)
    made = [
        period(m.PeriodKind.YEAR, 1, YEAR_START, year_end),
        period(m.PeriodKind.HALF_YEAR, 2, datetime.date(2027, 1, 11), year_end),
        period(m.PeriodKind.QUARTER, 2, datetime.date(2026, 11, 5), datetime.date(2026, 12, 28)),
        period(m.PeriodKind.HALF_YEAR, 1, YEAR_START, datetime.date(2026, 12, 28)),
    ]

    page = client_for("deputy").get(reverse("journal:assessment")).content.decode()

    nav = page.split('<nav class="mb-3"', 1)[1].split("</nav>", 1)[0]
    links = [int(pk) for pk in re.findall(r"/assessment/(\d+)/", nav)]
    assert links == [quarter.pk, made[2].pk, made[3].pk, made[1].pk, made[0].pk]
