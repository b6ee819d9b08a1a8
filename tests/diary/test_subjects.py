"""The subject view and the period's subjects: weighted average, prognosis by the policy, minimum, finals."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from diary.selectors.attendance import attendance_summary
from diary.selectors.common import student_enrolments
from diary.selectors.subjects import subject_view, subjects_of_period
from journal import models as m
from tests.conftest import World
from tests.diary.conftest import day, lesson, mark, quarter


def _marks(world: World, values: list[tuple[str, str]], student: m.Student | None = None, slot: int = 1) -> None:
    test = m.WorkType.objects.get_or_create(school=world.school, name="Контрольная работа", weight=3)[0]
    answer = m.WorkType.objects.get_or_create(school=world.school, name="Ответ на уроке", weight=1)[0]
    for i, (value, weight) in enumerate(values):
        on = lesson(world.math_5a, datetime.date(2026, 9, 7) + datetime.timedelta(days=i), slot, status="held")
        mark(world, on, student or world.child, value, weight=weight, work_type=test if weight == "3" else answer)


def test_average_and_prognosis_follow_the_default_thresholds(world: World) -> None:
    period = quarter(world)
    _marks(world, [("5", "1"), ("3", "3")])  # (5 + 9) / 4 = 3.50: below 3.60 → 3

    view = subject_view(world.child, world.math_5a, period)

    assert view.prognosis.average == Decimal("3.50")
    assert view.prognosis.suggested == "3"
    assert [(w.name, w.weight, w.count) for w in view.prognosis.weights] == [
        ("Контрольная работа", Decimal("3"), 1),
        ("Ответ на уроке", Decimal("1"), 1),
    ]
    assert (view.prognosis.weighted_sum, view.prognosis.weight_total) == (Decimal("14"), Decimal("4"))


def test_prognosis_follows_the_schools_own_thresholds(world: World) -> None:
    m.GradingPolicy.objects.create(
        school=world.school,
        valid_from=datetime.date(2026, 8, 1),
        threshold_5=Decimal("4.50"),
        threshold_4=Decimal("3.50"),
        threshold_3=Decimal("2.50"),
    )
    period = quarter(world)
    _marks(world, [("5", "1"), ("3", "3")])

    assert subject_view(world.child, world.math_5a, period).prognosis.suggested == "4"


def test_cancelled_lessons_and_other_students_do_not_count(world: World) -> None:
    period = quarter(world)
    _marks(world, [("5", "1")])
    _marks(world, [("2", "1")], student=world.other_child, slot=2)
    gone = lesson(world.math_5a, day(0), status="cancelled")
    mark(world, gone, world.child, "2")

    view = subject_view(world.child, world.math_5a, period)

    assert [mk.value for mk in view.prognosis.marks] == ["5"]


def test_fewer_marks_than_the_minimum_are_flagged(world: World) -> None:
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=2)
    period = quarter(world)
    _marks(world, [("5", "1"), ("4", "1")])

    prognosis = subject_view(world.child, world.math_5a, period).prognosis

    assert (prognosis.marks_count, prognosis.minimum, prognosis.below_minimum) == (2, 5, True)


def test_final_mark_with_the_teachers_reason_is_shown(world: World, client_for) -> None:
    period = quarter(world)
    _marks(world, [("4", "1"), ("3", "1")])
    m.FinalMark.objects.create(
        course=world.math_5a,
        student=world.child,
        kind="quarter",
        period=period,
        value="4",
        suggested="3",
        reason="Активная работа на уроках",
        author=world.users["teacher"],
    )

    response = client_for("parent").get(
        reverse("diary:subject", kwargs={"student_id": world.child.pk, "course_id": world.math_5a.pk}),
        {"period": period.pk},
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "Активная работа на уроках" in text
    assert response.context["view"].final.value == "4"
    rows = subjects_of_period(world.child, student_enrolments(world.child), period)
    assert [(r.course, r.final.value, r.prognosis.suggested) for r in rows] == [(world.math_5a, "4", "3")]


def test_subject_page_in_russian_shows_the_why_and_the_minimum_warning(world: World, client_for) -> None:
    period = quarter(world)
    _marks(world, [("5", "1"), ("3", "3")])

    response = client_for("student").get(
        reverse("diary:subject", kwargs={"student_id": world.child.pk, "course_id": world.math_5a.pk}),
        {"period": period.pk},
    )

    text = response.content.decode()
    assert "Средневзвешенный балл" in text
    assert "Прогноз" in text
    assert "5 от 4,60, 4 от 3,60, 3 от 2,60" in text
    assert "Пока оценок: 2" in text
    assert "нужно не меньше 3" in text


def test_attendance_summary_counts_by_reason_and_lateness_per_subject(world: World) -> None:
    period = quarter(world)
    russian = m.Course.objects.create(class_group=world.class_5a, subject=world.russian_6b.subject)
    rows = [
        (world.math_5a, "absent", "illness"),
        (world.math_5a, "absent", "illness"),
        (world.math_5a, "late", "unknown"),
        (russian, "absent", "unexcused"),
        (russian, "absent", "unknown"),
    ]
    for i, (course, status, reason) in enumerate(rows):
        on = lesson(course, datetime.date(2026, 9, 7) + datetime.timedelta(days=i), status="held")
        m.Attendance.objects.create(
            lesson=on, student=world.child, status=status, reason=reason, author=world.users["teacher"]
        )
    other = lesson(world.math_5a, datetime.date(2026, 9, 20), status="held")
    m.Attendance.objects.create(lesson=other, student=world.other_child, status="absent", author=world.users["teacher"])

    summary = attendance_summary(world.child, period)

    lines = {line.subject: (line.counts, line.late) for line in summary.lines}
    # Columns: illness, excused, unexcused, unknown.
    assert lines == {"Математика": ([2, 0, 0, 0], 1), "Русский язык": ([0, 0, 1, 1], 0)}
    assert (summary.total.missed, summary.total.late) == (4, 1)
    assert [letter for letter, _label in summary.headers] == ["Б", "УП", "НП", "Н"]


def test_periods_page_lists_every_subject_of_the_student(world: World, client: Client, client_for) -> None:
    period = quarter(world)
    _marks(world, [("5", "1")])

    response = client_for("parent").get(reverse("diary:subjects", kwargs={"student_id": world.child.pk}))

    assert response.status_code == 200
    assert response.context["period"] == period
    assert [row.course for row in response.context["rows"]] == [world.math_5a]


def test_a_pass_fail_subject_prints_zach_and_n_a_never_the_stored_codes(world: World, client_for) -> None:
    """The parent reads «зач.» for the period mark and in the list of final marks, «н/а» likewise; the
    marks of the week and of the subject page read «зач.», never «зч» or «на»."""
    period = quarter(world)
    on = lesson(world.math_5a, datetime.date(2026, 9, 7), 1, status="held")
    mark(world, on, world.child, "зч")
    author = world.users["teacher"]
    m.FinalMark.objects.create(
        course=world.math_5a, student=world.child, kind="quarter", period=period, value="зч", author=author
    )
    m.FinalMark.objects.create(
        course=world.math_5a, student=world.other_child, kind="quarter", period=period, value="на", author=author
    )
    url = reverse("diary:subject", kwargs={"student_id": world.child.pk, "course_id": world.math_5a.pk})

    page = client_for("parent").get(url, {"period": period.pk}).content.decode()

    final = re.search(r'data-testid="final">([^<]*)<', page)
    listed = re.search(r'data-testid="final-row-value">([^<]*)<', page)
    assert final and final.group(1) == "зач."
    assert listed and listed.group(1) == "зач."
    assert ">зч<" not in page and "зачёт" not in page
    subjects = client_for("parent").get(reverse("diary:subjects", args=[world.child.pk]), {"period": period.pk})
    assert ">зач.<" in subjects.content.decode() and ">зч<" not in subjects.content.decode()
    week = client_for("parent").get(reverse("diary:week", args=[world.child.pk]), {"week": "2026-09-07"})
    assert re.search(r'data-testid="mark">зач\.<', week.content.decode())

    other = client_for("other_parent").get(
        reverse("diary:subject", kwargs={"student_id": world.other_child.pk, "course_id": world.math_5a.pk}),
        {"period": period.pk},
    )
    assert re.search(r'data-testid="final">н/а<', other.content.decode())
