"""The Russian of the assessment-procedure warnings, with their numbers."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import translation

from journal import models as m
from journal.selectors.assessment import assessment_warnings
from journal.services.structure import teaching_assignment_create
from tests.conftest import World
from tests.factories import YEAR_START, SubjectFactory

MONDAY = datetime.date(2026, 10, 5)


@pytest.fixture(autouse=True)
def russian() -> Iterator[None]:
    with translation.override("ru"):
        if translation.gettext("one a day per class") == "one a day per class":
            pytest.skip("the Russian catalog is not compiled with the assessment messages yet")
        yield


def test_every_rule_warns_in_russian_with_its_numbers(world: World) -> None:
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=5)
    russian_5a = m.Course.objects.create(class_group=world.class_5a, subject=world.russian_6b.subject)
    teaching_assignment_create(
        actor=None, course=russian_5a, teacher=world.users["other_teacher"], date_from=YEAR_START
    )
    reading = m.Course.objects.create(
        class_group=world.class_5a, subject=SubjectFactory(school=world.school, name="Чтение")
    )
    m.Lesson.objects.bulk_create(
        m.Lesson(course=russian_5a, date=datetime.date(2027, 2, 1) + datetime.timedelta(days=i), slot=3)
        for i in range(40)
    )
    later = MONDAY + datetime.timedelta(days=10)
    for day in (MONDAY, later):
        m.Lesson.objects.create(course=reading, date=day, slot=6)
    first = m.Lesson.objects.create(course=world.math_5a, date=MONDAY, slot=1, kind=m.LessonKind.TEST)
    m.Lesson.objects.create(course=russian_5a, date=MONDAY, slot=3, kind=m.LessonKind.TEST)
    second = m.Lesson.objects.create(course=world.math_5a, date=later, slot=3, kind=m.LessonKind.TEST)

    warnings = assessment_warnings(world.year, [world.class_5a.pk])

    assert sorted(w.message for w in warnings[first.pk]) == sorted(
        [
            "У класса 5А 05.10.2026 контрольных: 2 (Математика, Русский язык); допускается не более одной в день.",
            "Урок 1 — первый урок класса 5А 05.10.2026 (уроки 1–6); контрольная на нём допустима только по "
            "предмету с одним уроком в неделю (Математика: 5 в неделю).",
            "Контрольная № 1 по курсу 5А · Математика: 2 контрольных на 2 уроков в году — больше 10 % "
            "(допускается не более 0).",
        ]
    )
    assert (
        "Через 10 дн. после предыдущей контрольной по курсу 5А · Математика (05.10.2026): не чаще одного "
        "раза в 2,5 недели, то есть не менее чем через 18 дней." in [w.message for w in warnings[second.pk]]
    )
    assert {w.rule_label for w in warnings[first.pk]} == {
        "не более одной в день в классе",
        "не на первом и не на последнем уроке",
        "не более 10 % годовых часов",
    }
