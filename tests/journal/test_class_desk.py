"""The class teacher's desk (§4.3): the week's absences of the class with their reasons, corrected by the
class teacher (a lesson or a whole day at once, all or none), read by the deputy; the class overview."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from journal import models as m
from journal.models import Attendance
from tests.conftest import World
from tests.factories import CourseFactory, SubjectFactory

MONDAY = datetime.date(2026, 11, 9)


@pytest.fixture
def day(world: World) -> dict[str, Attendance]:
    """Monday 9 November: the child away from mathematics and Russian without a known reason, Алиса late
    for mathematics; a 6Б student away too (another class's row)."""
    author = world.users["teacher"]
    russian = CourseFactory(class_group=world.class_5a, subject=SubjectFactory(school=world.school, name="Русский"))
    math = m.Lesson.objects.create(course=world.math_5a, date=MONDAY, slot=1, status="held")
    second = m.Lesson.objects.create(course=russian, date=MONDAY, slot=2, status="held")
    other = m.Lesson.objects.create(course=world.russian_6b, date=MONDAY, slot=1, status="held")

    def absent(lesson: m.Lesson, student: m.Student, status: str = "absent") -> Attendance:
        return Attendance.objects.create(lesson=lesson, student=student, status=status, reason="unknown", author=author)

    return {
        "math": absent(math, world.child),
        "russian": absent(second, world.child),
        "late": absent(math, world.other_child, "late"),
        "6b": absent(other, world.student_6b),
    }


def _week_url(world: World) -> str:
    return f"{reverse('journal:class_attendance', args=[world.class_5a.pk])}?week={MONDAY.isoformat()}"


def _post(client: Client, world: World, rows: list[Attendance], reason: str, **extra: str) -> object:
    return client.post(
        reverse("journal:class_attendance_reason", args=[world.class_5a.pk]),
        {"attendance": [r.pk for r in rows], "version": [r.version for r in rows], "reason": reason},
        **extra,
    )


def test_the_week_lists_each_students_day_with_the_unconfirmed_count(
    world: World, day: dict[str, Attendance], client_for: Callable[[str], Client]
) -> None:
    response = client_for("class_teacher").get(_week_url(world))
    page = response.content.decode()
    assert response.context["unconfirmed"] == 2  # the child's two lessons; a late arrival needs no reason
    assert f"student-day-{world.child.pk}-20261109" in page and f"student-day-{world.other_child.pk}-20261109" in page
    assert "Новиков" not in page  # 6Б is not this class
    assert response.context["corrects"] is True


def test_the_class_teacher_sets_illness_for_the_whole_day_at_once(
    world: World, day: dict[str, Attendance], client_for: Callable[[str], Client]
) -> None:
    response = _post(client_for("class_teacher"), world, [day["math"], day["russian"]], "illness")

    assert response.status_code == 302 and response["Location"] == _week_url(world)
    rows = Attendance.objects.filter(pk__in=[day["math"].pk, day["russian"].pk])
    assert {(row.reason, row.version, row.author_id) for row in rows} == {
        ("illness", day["math"].version + 1, world.users["class_teacher"].pk)
    }
    history = m.Attendance.history.filter(id=day["math"].pk).order_by("-history_date").first()
    assert history.reason == "illness" and history.history_user_id == world.users["class_teacher"].pk


def test_htmx_gets_the_students_day_back_with_the_new_reason(
    world: World, day: dict[str, Attendance], client_for: Callable[[str], Client]
) -> None:
    response = _post(client_for("class_teacher"), world, [day["math"]], "excused", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="reason-saved"' in html
    assert f'data-testid="absence-{day["math"].pk}" data-reason="excused"' in html
    assert f'data-testid="absence-{day["russian"].pk}" data-reason="unknown"' in html


def test_a_stale_version_changes_nothing_of_the_day_and_says_who_changed_it(
    world: World, day: dict[str, Attendance], client_for: Callable[[str], Client]
) -> None:
    russian = day["russian"]
    Attendance.objects.filter(pk=russian.pk).update(version=russian.version + 1, reason="excused")

    response = _post(client_for("class_teacher"), world, [day["math"], russian], "illness", HTTP_HX_REQUEST="true")

    assert 'data-testid="reason-error"' in response.content.decode()
    assert Attendance.objects.get(pk=day["math"].pk).reason == "unknown"  # all or none
    assert Attendance.objects.get(pk=russian.pk).reason == "excused"


def test_the_deputy_reads_the_desk_but_cannot_change_a_reason(
    world: World, day: dict[str, Attendance], client_for: Callable[[str], Client]
) -> None:
    client = client_for("deputy")
    response = client.get(_week_url(world))
    assert response.status_code == 200 and response.context["corrects"] is False
    assert 'data-testid="day-reason"' not in response.content.decode()

    assert _post(client, world, [day["math"]], "illness").status_code == 403
    assert Attendance.objects.get(pk=day["math"].pk).reason == "unknown"


def test_another_classs_absence_is_not_found_through_this_class(
    world: World, day: dict[str, Attendance], client_for: Callable[[str], Client]
) -> None:
    response = _post(client_for("class_teacher"), world, [day["6b"]], "illness")
    assert response.status_code == 404
    assert Attendance.objects.get(pk=day["6b"].pk).reason == "unknown"


def test_a_locked_period_refuses_the_change_with_a_message_in_russian(
    world: World, day: dict[str, Attendance], client_for: Callable[[str], Client]
) -> None:
    m.StudyPeriod.objects.create(
        year=world.year,
        kind="quarter",
        number=2,
        start=datetime.date(2026, 11, 2),
        end=datetime.date(2026, 12, 27),
        is_locked=True,
    )
    client = client_for("class_teacher")
    response = _post(client, world, [day["math"]], "illness")
    assert Attendance.objects.get(pk=day["math"].pk).reason == "unknown"
    page = client.get(response["Location"]).content.decode()
    assert "закрыт" in page.lower() or "заблокирован" in page.lower()


def test_an_unknown_reason_is_refused_in_russian(
    world: World, day: dict[str, Attendance], client_for: Callable[[str], Client]
) -> None:
    response = _post(client_for("class_teacher"), world, [day["math"]], "holiday", HTTP_HX_REQUEST="true")
    assert 'data-testid="reason-error"' in response.content.decode()
    assert Attendance.objects.get(pk=day["math"].pk).reason == "unknown"


def test_the_overview_shows_each_students_period_figures_across_subjects(
    world: World, client_for: Callable[[str], Client]
) -> None:
    period = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=2, start=datetime.date(2026, 11, 2), end=datetime.date(2026, 12, 27)
    )
    lesson = m.Lesson.objects.create(course=world.math_5a, date=MONDAY, slot=1, status="held")
    for position, value in ((1, "5"), (2, "4")):
        m.Mark.objects.create(
            lesson=lesson, student=world.child, value=value, author=world.users["teacher"], position=position
        )

    response = client_for("class_teacher").get(
        f"{reverse('journal:class_overview', args=[world.class_5a.pk])}?period={period.pk}"
    )

    assert response.status_code == 200
    assert [s.name for s in response.context["subjects"]] == ["Математика"]
    rows = {entry.student.pk: cells for entry, cells in response.context["rows"]}
    summary, final = rows[world.child.pk][0]
    assert summary.average == Decimal("4.5") and summary.count == 2 and final == ""
    assert "4,50" in response.content.decode()


def test_the_student_card_shows_the_class_teacher_the_marks_of_every_subject(
    world: World, client_for: Callable[[str], Client]
) -> None:
    period = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=2, start=datetime.date(2026, 11, 2), end=datetime.date(2026, 12, 27)
    )
    lesson = m.Lesson.objects.create(course=world.math_5a, date=MONDAY, slot=1, status="held")
    m.Mark.objects.create(lesson=lesson, student=world.child, value="3", author=world.users["teacher"])
    url = f"{reverse('journal:student_detail', args=[world.child.pk])}?period={period.pk}"

    page = client_for("class_teacher").get(url).content.decode()

    assert 'data-testid="student-marks"' in page
    assert "<td>Математика</td><td>3</td><td>3,00</td>" in page
    # A subject teacher reaching the card sees no marks of other subjects.
    assert 'data-testid="student-marks"' not in client_for("other_teacher").get(url).content.decode()
