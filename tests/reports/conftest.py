"""A week of 5А for the printout tests: Monday 30 November – Sunday 6 December 2026, quarter 2.

``child`` (parent: ``parent``, who asked for the paper printout) and ``other_child`` (``other_parent``,
who did not) are in 5А. Mathematics (``teacher``), Russian, and English for «Группа 1» (only ``child``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from journal import models as m
from journal.services.policy import default_policy_and_work_types
from tests.conftest import World
from tests.factories import CourseFactory, SubjectFactory

MONDAY = datetime.date(2026, 11, 30)
SUNDAY = datetime.date(2026, 12, 6)
WEEK_LABEL = "30 ноября – 6 декабря 2026 г."


def day(n: int) -> datetime.date:
    """The n-th day of the week (0 = Monday 30.11.2026)."""
    return MONDAY + datetime.timedelta(days=n)


@dataclass
class Week:
    world: World
    quarter1: m.StudyPeriod
    quarter2: m.StudyPeriod
    russian_5a: m.Course
    english_5a: m.Course
    lessons: dict[str, m.Lesson]
    work_types: dict[str, m.WorkType]


def flag(world: World, persona: str, value: bool = True) -> None:
    """The persona's parent link asks (or no longer asks) for the paper printout."""
    m.ParentLink.objects.filter(parent=world.users[persona]).update(wants_paper_printout=value)


def mark(lesson: m.Lesson, student: m.Student, value: str, work_type: m.WorkType, comment: str = "", **kw: Any):
    return m.Mark.objects.create(
        lesson=lesson,
        student=student,
        value=value,
        work_type=work_type,
        weight=work_type.weight,
        comment=comment,
        author=lesson.teacher,
        **kw,
    )


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Generated files go under the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def week(world: World, media: Path) -> Week:
    default_policy_and_work_types(world.school)
    work_types = {wt.name: wt for wt in m.WorkType.objects.filter(school=world.school)}
    answer, test = work_types["Ответ на уроке"], work_types["Контрольная работа"]
    quarter1 = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=1, start=datetime.date(2026, 9, 1), end=datetime.date(2026, 10, 25)
    )
    quarter2 = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=2, start=datetime.date(2026, 11, 5), end=datetime.date(2026, 12, 28)
    )
    teacher = world.users["teacher"]
    russian_subject = SubjectFactory(school=world.school, name="Русский язык")
    russian = CourseFactory(class_group=world.class_5a, subject=russian_subject)
    english_subject = SubjectFactory(school=world.school, name="Английский язык")
    group = m.Subgroup.objects.create(class_group=world.class_5a, subject=english_subject, name="Группа 1")
    group.members.add(world.child)
    english = CourseFactory(class_group=world.class_5a, subject=english_subject, subgroup=group)

    def lesson(course: m.Course, n: int, slot: int, topic: str, **kw: Any) -> m.Lesson:
        return m.Lesson.objects.create(
            course=course, date=day(n), slot=slot, topic=topic, teacher=teacher, status="held", **kw
        )

    lessons = {
        "math_mon": lesson(world.math_5a, 0, 1, "Сложение дробей с разными знаменателями"),
        "russian_mon": lesson(russian, 0, 2, "Правописание приставок"),
        "english_tue": lesson(english, 1, 1, "Present Simple"),
        "math_wed": lesson(world.math_5a, 2, 2, "Контрольная работа по теме «Дроби»", kind="test"),
        "math_thu": lesson(world.math_5a, 3, 1, "Отменённый урок"),
        # Outside the week, inside the quarter: counted in the averages only.
        "math_before": m.Lesson.objects.create(
            course=world.math_5a, date=datetime.date(2026, 11, 16), slot=1, teacher=teacher, status="held"
        ),
        # Quarter 1: in no average of quarter 2.
        "math_q1": m.Lesson.objects.create(
            course=world.math_5a, date=datetime.date(2026, 10, 5), slot=1, teacher=teacher, status="held"
        ),
        # The next week: neither on this page nor in its averages.
        "math_next": m.Lesson.objects.create(
            course=world.math_5a, date=datetime.date(2026, 12, 7), slot=1, teacher=teacher, status="held"
        ),
    }
    m.Lesson.objects.filter(pk=lessons["math_thu"].pk).update(status="cancelled")
    m.Homework.objects.create(lesson=lessons["math_mon"], text="§ 12, № 5, 7", author=teacher, due_date=day(2))
    m.Homework.objects.create(lesson=lessons["russian_mon"], text="Упр. 193", author=teacher)
    m.Homework.objects.create(lesson=lessons["math_next"], text="Домашнее задание следующей недели", author=teacher)

    mark(lessons["math_mon"], world.child, "5", answer, "Отличный ответ у доски")
    mark(lessons["math_wed"], world.child, "4", test, "Невнимательно: ошибки в вычислениях")
    mark(lessons["math_before"], world.child, "3", answer)
    mark(lessons["math_q1"], world.child, "2", answer)
    mark(lessons["math_next"], world.child, "2", answer, "Оценка следующей недели")
    mark(lessons["math_mon"], world.other_child, "3", answer, "Замечание другому ребёнку")
    m.Attendance.objects.create(
        lesson=lessons["english_tue"], student=world.child, status="absent", reason="illness", author=teacher
    )
    m.Attendance.objects.create(
        lesson=lessons["russian_mon"], student=world.child, status="late", reason="unknown", author=teacher
    )
    flag(world, "parent")
    return Week(
        world=world,
        quarter1=quarter1,
        quarter2=quarter2,
        russian_5a=russian,
        english_5a=english,
        lessons=lessons,
        work_types={"answer": answer, "test": test},
    )


# One class's first quarter with every case of the reports (tests/reports/quarter.py).
from tests.reports.quarter import q1  # noqa: E402, F401
