"""The reports' figures against numbers computed by hand (DESIGN.md, "Grading policy"), for one class whose
first quarter holds every case: a 2, н/а, осв., зачёт and незачёт, a student who arrived, one who left
before the end, one who moved to another class, a day missed whole and a late arrival.

5А in the first quarter (1 September – 25 October), marks of the quarter:

    student           Математика  Русский язык  Физкультура (pass/fail)
    Соколов Артём     5           5             зч
    Волкова Алиса     4           5             зч
    Акимов Борис      3           4             нз
    Белов Виктор      2           3             осв
    Васин Глеб        на          3             зч
    Денисов Егор      5           —             зч        arrived 15.09
    Гусев Дмитрий     4           4             зч        left 10.10 (out of N)
    Жуков Захар       —           —             —         moved to 6Б on 01.10 (out of N)
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from journal import models as m
from reports.builders import ReportParams
from reports.document import Table
from reports.kinds import KINDS
from tests.conftest import World
from tests.reports.quarter import Q1


def texts(table: Table, first: str) -> list[str]:
    """The texts of the body (or foot) row whose first text cell is ``first``."""
    for row in [*table.body, *table.foot]:
        labels = [cell.text for cell in row]
        if first in labels[:2]:
            return labels
    raise AssertionError(f"no row {first!r} in {[[c.text for c in r][:2] for r in table.body]}")


def test_results_by_subject_count_as_by_hand(q1: Q1) -> None:
    report = q1.report("results", period=q1.period)
    table = report.sections[0].tables[0]
    head = [cell.text for cell in table.head[0]]
    assert head[:2] == ["Предмет", "обучающиеся"]
    # students «5» «4» «3» «2» н/а осв. зачёт незачёт без отметки успеваемость качество СОУ средний
    assert texts(table, "Математика")[1:] == [
        "6",
        "2",
        "1",
        "1",
        "1",
        "1",
        "",
        "",
        "",
        "",
        "66,7",
        "50,0",
        "53,8",
        "3,80",
    ]
    assert texts(table, "Русский язык")[1:] == [
        "6",
        "2",
        "1",
        "2",
        "",
        "",
        "",
        "",
        "",
        "1",
        "100,0",
        "60,0",
        "67,2",
        "4,00",
    ]
    assert texts(table, "Физкультура")[1:] == ["6", "", "", "", "", "", "1", "4", "1", "", "80,0", "", "", ""]
    numbers = {row[0].text: row for row in table.body}
    assert numbers["Математика"][11].value == Decimal("66.7")


def test_the_class_as_a_whole_takes_sou_and_the_mean_over_all_its_period_marks(q1: Q1) -> None:
    """The counts and успеваемость, качество by the student, over the students' lowest marks: 5, 4, 2
    (незачёт), 2, н/а, 5 (N = 6): успеваемость 3 / 6 = 50,0 %, качество 3 / 6 = 50,0 %.

    СОУ and средний балл over every period mark of the six students (the table of the module's docstring):
    n5 = 2 + 2, n4 = 1 + 1, n3 = 1 + 2, n2 = 1, н/а = 1 (Физкультура: зачёт, незачёт, осв. out):
    СОУ = (100·4 + 64·2 + 36·3 + 16·1 + 7·1) / (4 + 2 + 3 + 1 + 1) = 659 / 11 = 59,909… → 59,9 %;
    средний балл = (5·4 + 4·2 + 3·3 + 2·1) / (4 + 2 + 3 + 1) = 39 / 10 = 3,90.
    (The mean of the students' lowest marks was printed before: 18 / 5 = 3,60, СОУ 50,5.)
    """
    report = q1.report("results", period=q1.period)
    section = report.sections[0]
    assert texts(section.tables[0], "Класс в целом")[1:] == [
        "6", "2", "1", "", "2", "1", "", "", "", "", "50,0", "50,0", "59,9", "3,90",
    ]  # fmt: skip
    note = section.notes[0]
    assert note.startswith("Класс в целом: успеваемость и качество — по обучающимся")
    assert "по всем отметкам за период" in note
    teacher = q1.report("class-teacher", period=q1.period).sections[1]
    assert [cell.text for cell in teacher.tables[0].body[0]][-3:] == ["50,0", "50,0", "59,9"]
    assert note in teacher.notes
    school = q1.report_of_school("results", period=q1.period).sections[0]
    assert texts(school.tables[0], "5А")[-3:] == ["50,0", "50,0", "59,9"]


def test_the_class_teachers_report_lists_the_students_by_result(q1: Q1) -> None:
    report = q1.report("class-teacher", period=q1.period)
    composition, results, attendance, movement = report.sections
    assert texts(composition.tables[0], "7") == ["7", "6", "1", "2"]  # start, end, arrived, left (Гусев, Жуков)
    figures = [cell.text for cell in results.tables[0].body[0]]
    assert figures == ["6", "2", "1", "1", "0", "2", "1", "50,0", "50,0", "59,9"]
    lists = {listing.label: listing.items for listing in results.listings}
    assert lists["Отличники"] == ["Денисов Егор", "Соколов Артём"]
    assert lists["Ударники (на «4» и «5»)"] == ["Волкова Алиса"]
    assert lists["С одной «4»"] == ["Волкова Алиса (Математика)"]
    assert lists["С одной «3»"] == []
    assert lists["Неуспевающие"] == ["Акимов Борис (Физкультура)", "Белов Виктор (Математика)"]
    assert lists["Не аттестованы"] == ["Васин Глеб (Математика)"]
    assert texts(attendance.tables[0], "Соколов Артём")[2:] == ["1", "2", "2", "", "", "", ""]
    assert texts(attendance.tables[0], "Волкова Алиса")[2:] == ["", "1", "", "", "1", "", ""]
    assert texts(attendance.tables[0], "Акимов Борис")[2:] == ["", "", "", "", "", "", "1"]
    arrived, left, moved = movement.tables
    assert [c.text for c in arrived.body[0]][1:] == [
        "Денисов Егор Андреевич",
        "",
        "5А",
        "15.09.2026",
        "из школы № 3, приказ № 7",
    ]
    assert [c.text for c in left.body[0]][1:] == [
        "Гусев Дмитрий Андреевич",
        "",
        "5А",
        "11.10.2026",  # the order's day: the day after the last one in the class (10.10)
        "в школу № 5, приказ № 12",
    ]
    assert [c.text for c in moved.body[0]][1:] == ["Жуков Захар Андреевич", "", "5А", "6Б", "01.10.2026", "приказ № 10"]


def test_the_monthly_attendance_shows_each_day_by_letter_and_sums_the_months(q1: Q1) -> None:
    report = q1.report(
        "attendance-months", first_month=datetime.date(2026, 10, 1), last_month=datetime.date(2026, 10, 1)
    )
    october, summary = report.sections
    table = october.tables[0]
    days = [cell.text for cell in table.head[0]][2:-6]
    assert days == ["5"]  # the only day of October with lessons of 5А
    # the day, missed, Б, УП, НП, Н, ОП
    assert texts(table, "Соколов Артём")[2:] == ["Б2", "2", "2", "", "", "", ""]
    assert texts(table, "Волкова Алиса")[2:] == ["НП", "1", "", "", "1", "", ""]
    assert texts(table, "Акимов Борис")[2:] == ["ОП", "", "", "", "", "", "1"]
    names = [row[1].text for row in table.body]
    assert "Жуков Захар" not in names  # in 6Б from 1 October
    assert "Гусев Дмитрий" in names  # left on the 10th
    assert texts(summary.tables[0], "Итого по классу")[2:] == ["1", "3", "2", "", "1", "", "1"]


def test_every_report_splitting_absences_shows_every_letter_and_the_letters_add_up(q1: Q1, world: World) -> None:
    """On 5 October the child is ill (Б) at both lessons and Алиса away from mathematics without a reason
    (НП); add Виктор away from Russian with a reason (УП) and Глеб away from mathematics, the reason not
    yet confirmed (Н). By hand: 5 lessons missed = Б 2 + УП 1 + НП 1 + Н 1."""
    math = m.Lesson.objects.get(course=world.math_5a, date=datetime.date(2026, 10, 5))
    russian = m.Lesson.objects.get(course=q1.russian, date=datetime.date(2026, 10, 5))
    author = world.users["teacher"]
    m.Attendance.objects.create(lesson=russian, student=q1.belov, status="absent", reason="excused", author=author)
    m.Attendance.objects.create(lesson=math, student=q1.vasin, status="absent", reason="unknown", author=author)
    # lessons missed, Б, УП, НП, Н
    by_hand = {
        "Соколов Артём": ["2", "2", "", "", ""],
        "Волкова Алиса": ["1", "", "", "1", ""],
        "Белов Виктор": ["1", "", "1", "", ""],
        "Васин Глеб": ["1", "", "", "", "1"],
    }
    total = ["5", "2", "1", "1", "1"]

    def split(table: Table, at: int, name: str) -> list[str]:
        row = texts(table, name)[at : at + 5]
        missed, *reasons = (int(value or 0) for value in row)
        assert sum(reasons) == missed, (name, row)
        return row

    final = q1.report("final-data").sections[0].tables[0]
    labels = [cell.text for cell in final.head[0]]
    at = labels.index("уроков пропущено")
    assert labels[at:] == ["уроков пропущено", "Б", "УП", "НП", "Н"]
    assert {name: split(final, at, name) for name in by_hand} == by_hand

    sheet = q1.report("attendance-sheet").sections[0].tables[0]
    assert [cell.text for cell in sheet.head[1]][:6] == ["дней", "уроки", "Б", "УП", "НП", "Н"]  # the quarter
    at = 3  # №, the student, the days missed whole
    assert {name: split(sheet, at, name) for name in by_hand} == by_hand
    assert split(sheet, at, "Итого по классу") == total

    months = q1.report(
        "attendance-months", first_month=datetime.date(2026, 10, 1), last_month=datetime.date(2026, 10, 1)
    )
    october, summary = months.sections
    labels = [cell.text for cell in october.tables[0].head[0]]
    at = labels.index("пропущено")
    assert labels[at:] == ["пропущено", "Б", "УП", "НП", "Н", "ОП"]
    assert {name: split(october.tables[0], at, name) for name in by_hand} == by_hand
    labels = [cell.text for cell in summary.tables[0].head[0]]
    at = labels.index("уроков пропущено")
    assert {name: split(summary.tables[0], at, name) for name in by_hand} == by_hand
    assert split(summary.tables[0], at, "Итого по классу") == total


def test_the_headcount_counts_the_class_on_the_day_and_at_the_periods_ends(q1: Q1) -> None:
    report = KINDS["headcount"].build(
        ReportParams(school=q1.world.school, year=q1.world.year, period=q1.period, day=datetime.date(2026, 10, 1)),
        None,
    )
    table = report.sections[0].tables[0]
    assert texts(table, "5А")[1:] == ["7", "7", "6", "-1"]
    assert texts(table, "6Б")[1:] == ["2", "1", "2", "1"]
    assert texts(table, "5–9 классы")[1:] == ["9", "8", "8", "0"]


def test_the_forecast_puts_a_two_and_too_few_marks_at_risk(q1: Q1, world: World) -> None:
    lessons = [
        m.Lesson.objects.create(course=world.math_5a, date=datetime.date(2026, 9, d), slot=3, status="held")
        for d in (7, 14, 21)
    ]
    for lesson, mine, hers in zip(lessons, ["5", "5", "4"], ["2", "2", "3"], strict=True):
        m.Mark.objects.create(lesson=lesson, student=world.child, value=mine, author=world.users["teacher"])
        m.Mark.objects.create(lesson=lesson, student=world.other_child, value=hers, author=world.users["teacher"])
    m.Mark.objects.create(lesson=lessons[0], student=q1.akimov, value="4", author=world.users["teacher"])

    report = q1.report("forecast", period=q1.period)
    figures, at_risk = report.sections[0].tables
    risky = {(row[0].text, row[1].text): [c.text for c in row[2:]] for row in at_risk.body}
    assert risky[("Волкова Алиса", "Математика")] == ["2,33", "3", "3", "2"]
    assert risky[("Акимов Борис", "Математика")] == ["4,00", "1", "3", "н/а"]
    assert ("Соколов Артём", "Математика") not in risky
    math = texts(figures, "Математика")
    assert math[2] == "1"  # one «5» expected (the child); Алиса's «2»
    assert math[5] == "1"


def test_the_results_sheet_holds_each_students_period_and_year_marks(q1: Q1, world: World) -> None:
    m.FinalMark.objects.create(
        course=world.math_5a, student=world.child, kind="year", value="5", author=world.users["teacher"]
    )
    report = q1.report("results-sheet")
    table = report.sections[0].tables[0]
    subjects = [cell.text for cell in table.head[0][2:]]
    assert subjects == ["Математика", "Русский язык", "Физкультура"]
    assert [cell.text for cell in table.head[1]][:2] == ["1", "год"]
    assert texts(table, "Соколов Артём")[2:4] == ["5", "5"]
    assert texts(table, "Васин Глеб")[2] == "н/а"
    assert texts(table, "Белов Виктор")[2 + 2 * 2] == "осв."
