"""The printout's PDF as poppler reads it: Russian names, marks, remarks and the week; one A4 page per student."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.utils import translation

from journal import models as m
from reports import printouts
from reports.printouts import render_printout
from reports.selectors.weekly_printout import weekly_printout
from tests.browser.support import ARTIFACTS
from tests.factories import CourseFactory, SubjectFactory
from tests.reports.conftest import MONDAY, WEEK_LABEL, Week, day, flag, mark
from tests.reports.test_pdf import pdf_text


@pytest.fixture(autouse=True)
def russian():
    with translation.override("ru"):
        yield


def flat_text(data: bytes) -> str:
    """The PDF's text in reading order (a table cell's lines stay together), whitespace collapsed."""
    assert data.startswith(b"%PDF")
    raw = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(raw.split())


def page_count(data: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_printout_shows_the_childs_week_in_russian(week: Week) -> None:
    data = render_printout(weekly_printout(week.world.class_5a, MONDAY))
    text = flat_text(data)

    assert page_count(data) == 1
    for expected in (
        "Еженедельная распечатка дневника",
        "Школа № 1",
        "Соколов Артём",
        "класс 5А",
        f"Неделя: {WEEK_LABEL}",
        "Классный руководитель: Смирнова Мария",
        "Сложение дробей с разными знаменателями",
        "§ 12, № 5, 7 (к 02.12)",
        "5 Ответ на уроке",
        "«Отличный ответ у доски»",
        "4 Контрольная работа «Невнимательно: ошибки в вычислениях»",
        "Пропущено уроков: 1 (Б 1)",
        "Опозданий: 1",
        "Математика: 4,00 (4)",
        "2 четверть (по 06.12.2026)",
        "Пн 30.11",
        "Пт 04.12",
    ):
        assert expected in text, expected
    assert "Волкова" not in text
    assert "следующей недели" not in text


def test_one_page_per_student_in_name_order(week: Week) -> None:
    flag(week.world, "other_parent")

    data = render_printout(weekly_printout(week.world.class_5a, MONDAY))
    pages = [" ".join(page.split()) for page in pdf_text(data).split("\f")]

    assert page_count(data) == 2
    assert "Волкова Алиса" in pages[0] and "Соколов" not in pages[0]
    assert "Соколов Артём" in pages[1] and "Волкова" not in pages[1]
    assert "Замечание другому ребёнку" in pages[0]
    assert "Замечание другому ребёнку" not in pages[1]


def test_pages_laid_out_in_parallel_chunks_stay_in_name_order(week: Week, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk a student: the chunks go to the processes at once and come back as the class list runs."""
    flag(week.world, "other_parent")
    monkeypatch.setattr(printouts, "PAGES_PER_CHUNK", 1)
    made: list[int] = []

    data = render_printout(weekly_printout(week.world.class_5a, MONDAY), on_pages=made.append)
    pages = [" ".join(page.split()) for page in pdf_text(data).split("\f")]

    assert page_count(data) == 2
    assert "Волкова Алиса" in pages[0] and "Соколов" not in pages[0]
    assert "Соколов Артём" in pages[1] and "Волкова" not in pages[1]
    assert made == [1, 2]


def test_a_full_week_of_a_fifth_grader_fits_one_page(week: Week) -> None:
    """Seven lessons a day, each with a long topic and homework, two marks with long remarks, an absence."""
    world = week.world
    teacher = world.users["teacher"]
    courses = [world.math_5a, week.russian_5a] + [
        CourseFactory(class_group=world.class_5a, subject=SubjectFactory(school=world.school, name=name))
        for name in ("Литература", "История", "География", "Биология", "Изобразительное искусство")
    ]
    this_week = m.Lesson.objects.filter(course__class_group=world.class_5a, date__gte=MONDAY, date__lte=day(6))
    m.Mark.objects.filter(lesson__in=this_week).delete()
    m.Attendance.objects.filter(lesson__in=this_week).delete()
    this_week.delete()
    for n in range(5):
        for slot, course in enumerate(courses, start=1):
            lesson = m.Lesson.objects.create(
                course=course,
                date=day(n),
                slot=slot,
                teacher=teacher,
                status="held",
                topic="Очень длинная тема урока о правописании корней с чередованием гласных " * 6,
            )
            m.Homework.objects.create(
                lesson=lesson, text="Параграф 12, упражнения 193–197 письменно, выучить правило " * 10, author=teacher
            )
            for position in (1, 2):
                mark(
                    lesson,
                    world.child,
                    "4",
                    week.work_types["answer"],
                    "Подробное замечание учителя о работе на уроке и о поведении " * 4,
                    position=position,
                )
            if slot == 7:
                m.Attendance.objects.create(lesson=lesson, student=world.child, status="late", author=teacher)

    printout = weekly_printout(world.class_5a, MONDAY)
    assert sum(len(block.lessons) for block in printout.pages[0].days) == 35

    data = render_printout(printout)
    (ARTIFACTS / "weekly-printout-full-week.pdf").parent.mkdir(exist_ok=True)
    (ARTIFACTS / "weekly-printout-full-week.pdf").write_bytes(data)
    assert page_count(data) == 1
    text = pdf_text(data)
    assert "Пт" in text and "С распечаткой ознакомлен(а) родитель" in text


def test_a_first_grader_gets_no_marks_column_and_no_averages(week: Week) -> None:
    world = week.world
    world.class_5a.grade = 1
    world.class_5a.save(update_fields=["grade"])
    m.Mark.objects.all().delete()

    text = flat_text(render_printout(weekly_printout(world.class_5a, MONDAY)))

    assert "Оценки, замечания" not in text
    assert "Средневзвешенный балл" not in text
    assert "Сложение дробей" in text


def test_a_week_in_the_holidays_has_no_averages_but_still_a_page(week: Week) -> None:
    text = flat_text(render_printout(weekly_printout(week.world.class_5a, datetime.date(2026, 10, 28))))

    assert "Соколов Артём" in text
    assert "Уроков нет." in text
    assert "Средневзвешенный балл" not in text
