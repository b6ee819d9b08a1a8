"""Helpers of the diary tests: lessons, marks and files in the ``world`` school (week of 5 October 2026)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from journal import models as m
from tests.conftest import World

MONDAY = datetime.date(2026, 10, 5)


def day(offset: int) -> datetime.date:
    """A day of the week of ``MONDAY`` (0 = Monday)."""
    return MONDAY + datetime.timedelta(days=offset)


def lesson(course: m.Course, date: datetime.date, slot: int = 1, **fields: Any) -> m.Lesson:
    teacher = course.assignments.first().teacher if course.assignments.exists() else None
    return m.Lesson.objects.create(course=course, date=date, slot=slot, teacher=teacher, **fields)


def mark(
    world: World,
    on: m.Lesson,
    student: m.Student,
    value: str,
    *,
    weight: str = "1",
    work_type: m.WorkType | None = None,
    position: int = 1,
    comment: str = "",
) -> m.Mark:
    return m.Mark.objects.create(
        lesson=on,
        student=student,
        value=value,
        position=position,
        weight=Decimal(weight),
        work_type=work_type,
        author=world.users["teacher"],
        comment=comment,
    )


def quarter(
    world: World,
    start: datetime.date = datetime.date(2026, 9, 1),
    end: datetime.date = datetime.date(2026, 10, 25),
    number: int = 1,
) -> m.StudyPeriod:
    """The first quarter by default; it holds the week of ``MONDAY``."""
    return m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=number, start=start, end=end)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Homework files are written under the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
