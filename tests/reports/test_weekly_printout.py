"""The weekly printout's builder: whose pages, which lessons, marks, attendance and homework, the averages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from journal import models as m
from journal.services.structure import enrolment_create, parent_link_create, parent_link_end
from reports.selectors.weekly_printout import (
    classes_with_printouts,
    printout_students,
    week_bounds,
    week_label,
    weekly_printout,
)
from tests.factories import StudentFactory, UserFactory
from tests.reports.conftest import MONDAY, SUNDAY, WEEK_LABEL, Week, day, flag


@pytest.fixture(autouse=True)
def russian():
    with translation.override("ru"):
        yield


def lines_of(page) -> list[tuple[datetime.date, int, str]]:
    return [(line.lesson.date, line.lesson.slot, line.subject) for block in page.days for line in block.lessons]


def test_week_label_is_russian_with_the_months_in_the_genitive() -> None:
    assert week_label(MONDAY) == WEEK_LABEL
    assert week_label(datetime.date(2026, 11, 23)) == "23 – 29 ноября 2026 г."
    assert week_label(datetime.date(2026, 12, 28)) == "28 декабря 2026 – 3 января 2027 г."


def test_any_day_of_the_week_gives_its_monday_and_sunday() -> None:
    assert week_bounds(datetime.date(2026, 12, 3)) == (MONDAY, SUNDAY)
    assert week_bounds(SUNDAY) == (MONDAY, SUNDAY)


def test_only_students_whose_parent_asked_for_paper_are_on_the_printout(week: Week) -> None:
    world = week.world

    printout = weekly_printout(world.class_5a, MONDAY)

    assert [page.student for page in printout.pages] == [world.child]
    assert printout.week_label == WEEK_LABEL
    assert printout.class_teacher == world.users["class_teacher"]


def test_an_ended_link_no_longer_puts_the_child_on_the_printout(week: Week) -> None:
    world = week.world
    link = m.ParentLink.objects.get(parent=world.users["parent"])

    parent_link_end(actor=None, link=link)

    assert printout_students(world.class_5a, MONDAY) == []
    assert classes_with_printouts(world.school, MONDAY) == []


def test_a_student_who_left_before_the_week_is_not_on_it_and_one_who_came_in_it_is(week: Week) -> None:
    world = week.world
    newcomer = StudentFactory(school=world.school, last_name="Новикова", first_name="Вера")
    enrolment_create(actor=None, student=newcomer, class_group=world.class_5a, date_from=day(2))
    parent_link_create(
        actor=None, parent=UserFactory(), student=newcomer, wants_paper_printout=True, consent_given=True
    )
    flag(world, "other_parent")
    m.Enrolment.objects.filter(student=world.other_child).update(date_to=datetime.date(2026, 11, 27))

    printout = weekly_printout(world.class_5a, MONDAY)

    assert [page.student for page in printout.pages] == [newcomer, world.child]
    # The newcomer sees the lessons from Wednesday on, and not the English of a group they are not in.
    assert lines_of(printout.pages[0]) == [(day(2), 2, "Математика")]


def test_the_page_holds_the_weeks_lessons_homework_marks_and_attendance_only(week: Week) -> None:
    world = week.world

    page = weekly_printout(world.class_5a, MONDAY).pages[0]

    # Five school days, Monday to Friday; the cancelled Thursday lesson is left out.
    assert [block.date for block in page.days] == [day(n) for n in range(5)]
    assert lines_of(page) == [
        (day(0), 1, "Математика"),
        (day(0), 2, "Русский язык"),
        (day(1), 1, "Английский язык"),
        (day(2), 2, "Математика"),
    ]
    monday_math, monday_russian, english, test = (line for block in page.days for line in block.lessons)
    assert monday_math.topic == "Сложение дробей с разными знаменателями"
    assert (monday_math.homework, monday_math.due) == ("§ 12, № 5, 7", day(2))
    assert [(c.value, c.work_type, c.comment) for c in monday_math.marks] == [
        ("5", "Ответ на уроке", "Отличный ответ у доски")
    ]
    assert [(c.value, c.work_type) for c in test.marks] == [("4", "Контрольная работа")]
    assert monday_russian.attendance == "ОП"
    assert english.attendance == "Б"
    assert (page.marks_count, page.absent, page.absent_by_reason, page.late) == (2, 1, [("Б", 1)], 1)
    everything = " ".join(f"{line.homework} {[c.comment for c in line.marks]}" for b in page.days for line in b.lessons)
    assert "следующей недели" not in everything
    assert "другому ребёнку" not in everything


def test_the_lessons_missed_are_split_by_every_letter_and_the_letters_add_up(week: Week) -> None:
    # Besides English (Б): mathematics on Monday with a reason (УП), on Wednesday without (НП), Russian on
    # Monday not yet confirmed (Н, the late arrival made an absence). By hand: 4 = Б 1 + УП 1 + НП 1 + Н 1.
    world, teacher = week.world, week.world.users["teacher"]
    for lesson, reason in (("math_mon", "excused"), ("math_wed", "unexcused")):
        m.Attendance.objects.create(
            lesson=week.lessons[lesson], student=world.child, status="absent", reason=reason, author=teacher
        )
    m.Attendance.objects.filter(lesson=week.lessons["russian_mon"], student=world.child).update(status="absent")

    page = weekly_printout(world.class_5a, MONDAY).pages[0]

    assert page.absent_by_reason == [("Б", 1), ("УП", 1), ("НП", 1), ("Н", 1)]
    assert (page.absent, page.late) == (4, 0)
    assert sum(n for _letter, n in page.absent_by_reason) == page.absent


def test_averages_are_weighted_over_the_period_up_to_the_weeks_end(week: Week) -> None:
    world = week.world

    printout = weekly_printout(world.class_5a, MONDAY)
    averages = {row.subject: row for row in printout.pages[0].averages}

    assert printout.period == week.quarter2
    assert printout.averages_until == SUNDAY
    # (5·1 + 4·3 + 3·1) / (1 + 3 + 1) = 4.00: the quarter-1 mark and the next week's are not counted.
    assert (averages["Математика"].average, averages["Математика"].suggested) == (Decimal("4.00"), "4")
    assert averages["Математика"].marks_count == 3
    assert (averages["Русский язык"].average, averages["Русский язык"].suggested) == (None, "")
    assert set(averages) == {"Математика", "Русский язык", "Английский язык"}


def test_a_later_policy_does_not_change_the_rounding_of_the_period(week: Week) -> None:
    world = week.world
    m.GradingPolicy.objects.create(
        school=world.school,
        valid_from=datetime.date(2026, 11, 20),
        threshold_5=Decimal("3.90"),
        threshold_4=Decimal("3.00"),
        threshold_3=Decimal("2.00"),
    )

    averages = {row.subject: row for row in weekly_printout(world.class_5a, MONDAY).pages[0].averages}

    # The policy in force at the quarter's start still rounds 4.00 to a 4.
    assert averages["Математика"].suggested == "4"


def test_classes_with_printouts_are_those_with_a_flagged_student_that_week(week: Week) -> None:
    world = week.world

    assert classes_with_printouts(world.school, MONDAY) == [world.class_5a]
    assert classes_with_printouts(world.foreign_school, MONDAY) == []
