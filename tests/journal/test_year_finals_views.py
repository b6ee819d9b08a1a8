"""The year page of a course: period marks, suggested and set year, exam and final marks (issue 4)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from journal.services.structure import enrolment_create
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, CourseFactory, StudentFactory
from tests.journal.test_year_finals import QUARTERS


@pytest.fixture
def quarters(world: World) -> list[m.StudyPeriod]:
    return [
        m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=n, start=start, end=end)
        for n, (start, end) in enumerate(QUARTERS, start=1)
    ]


def period_marks(course: m.Course, quarters: list[m.StudyPeriod], student: m.Student, *values: str) -> None:
    teacher = course.assignments.first().teacher
    for period, value in zip(quarters, values, strict=False):
        m.FinalMark.objects.create(
            course=course, student=student, kind="quarter", period=period, value=value, suggested=value, author=teacher
        )


@pytest.fixture
def marks(world: World, quarters: list[m.StudyPeriod]) -> None:
    """The child: 5, 4, 4, 5 → mean 4.50, suggested year mark 4."""
    period_marks(world.math_5a, quarters, world.child, "5", "4", "4", "5")


def url(course: m.Course, **query: str) -> str:
    base = reverse("journal:course_finals_year", args=[course.pk])
    return f"{base}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else base


def post(student: m.Student, kind: str, value: str, reason: str = "", **extra: Any) -> dict[str, Any]:
    prefix = f"{kind}{student.pk}"
    return {
        "kind": kind,
        "student": student.pk,
        f"{prefix}-student": student.pk,
        f"{prefix}-value": value,
        f"{prefix}-reason": reason,
        **extra,
    }


def test_the_teacher_sees_period_marks_suggestion_and_the_rule_in_russian(
    world: World, marks: None, client_for: Callable[[str], Client]
) -> None:
    response = client_for("teacher").get(url(world.math_5a))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Годовая отметка предлагается" in html
    row, cells = next((r, c) for r, c in response.context["rows"] if r.student == world.child)
    assert [p.value for p in row.periods] == ["5", "4", "4", "5"]
    assert row.suggested_year == "4"
    year = next(c for c in cells if c.kind == "year")
    # The year is not over (the 4th quarter ends in May): the suggestion is shown, not filled in.
    assert (year.suggested, year.form.initial["value"]) == ("4", "")
    assert 'data-testid="year-not-over"' in html
    # Grade 5 has no exam: year and final only, until the teacher asks for exam marks.
    assert [c.kind for c in cells] == ["year", "final"]
    assert 'data-testid="exam-toggle"' in html


def test_once_the_last_period_is_over_the_suggestions_are_filled_in(
    world: World, client_for: Callable[[str], Client]
) -> None:
    today = timezone.localdate()
    periods = [
        m.StudyPeriod.objects.create(
            year=world.year, kind="quarter", number=1, start=YEAR_START, end=today - datetime.timedelta(days=20)
        ),
        m.StudyPeriod.objects.create(
            year=world.year,
            kind="quarter",
            number=2,
            start=today - datetime.timedelta(days=15),
            end=today - datetime.timedelta(days=1),
        ),
    ]
    period_marks(world.math_5a, periods, world.child, "5", "5")
    teacher = world.users["teacher"]
    m.FinalMark.objects.create(
        course=world.math_5a, student=world.child, kind="year", value="5", suggested="5", author=teacher
    )

    response = client_for("teacher").get(url(world.math_5a))

    _row, cells = next((r, c) for r, c in response.context["rows"] if r.student == world.child)
    assert {c.kind: c.form.initial["value"] for c in cells} == {"year": "5", "final": "5"}
    assert 'data-testid="year-not-over"' not in response.content.decode()


def test_a_differing_year_mark_without_reason_is_refused_and_nothing_saved(
    world: World, marks: None, client_for: Callable[[str], Client]
) -> None:
    response = client_for("teacher").post(url(world.math_5a), post(world.child, "year", "5"))

    assert response.status_code == 400
    assert "отличается от расчётной «4»" in response.content.decode()
    assert not m.FinalMark.objects.filter(kind="year").exists()


def test_a_saved_year_mark_redirects_to_the_next_student_with_focus(
    world: World, marks: None, client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")
    students = sorted([world.child, world.other_child], key=lambda s: (s.last_name, s.first_name, s.middle_name, s.pk))

    response = client.post(url(world.math_5a), post(students[0], "year", "5", "Рост в 4 четверти"))

    assert response.status_code == 302
    assert f"focus=year{students[1].pk}" in response.url
    page = client.get(response.url).content.decode()
    assert "autofocus" in page
    mark = m.FinalMark.objects.get(kind="year", student=students[0])
    assert mark.value == "5"


def test_posts_by_others_are_refused_and_change_nothing(
    world: World, marks: None, client_for: Callable[[str], Client]
) -> None:
    for persona, expected in [
        ("student", 403),
        ("parent", 403),
        ("other_parent", 403),
        ("other_teacher", 404),
        ("foreign_teacher", 404),
        ("class_teacher", 403),
        ("deputy", 403),
    ]:
        response = client_for(persona).post(url(world.math_5a), post(world.child, "year", "4"))
        assert response.status_code == expected, persona
    assert not m.FinalMark.objects.filter(kind__in=["year", "exam", "final"]).exists()


def test_the_deputy_reads_without_inputs(world: World, marks: None, client_for: Callable[[str], Client]) -> None:
    response = client_for("deputy").get(url(world.math_5a))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="read-only"' in html
    assert "<select" not in html


def test_a_locked_last_period_makes_year_marks_read_only_but_not_exam_marks(
    world: World, quarters: list[m.StudyPeriod], client_for: Callable[[str], Client]
) -> None:
    class_9 = ClassGroupFactory(year=world.year, grade=9, letter="А")
    course = CourseFactory(class_group=class_9, subject=world.math_5a.subject)
    pupil = StudentFactory(school=world.school)
    enrolment_create(actor=None, student=pupil, class_group=class_9, date_from=YEAR_START)
    from journal.services.structure import teaching_assignment_create

    teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=YEAR_START)
    period_marks(course, quarters, pupil, "4", "4", "4", "4")
    quarters[-1].is_locked = True
    quarters[-1].save(update_fields=["is_locked"])
    client = client_for("teacher")

    response = client.get(url(course))
    _row, cells = response.context["rows"][0]
    assert [(c.kind, c.editable) for c in cells] == [("year", False), ("exam", True), ("final", True)]
    assert 'data-testid="locked-notice"' in response.content.decode()

    assert client.post(url(course), post(pupil, "year", "4")).status_code == 403
    assert client.post(url(course), post(pupil, "exam", "5")).status_code == 302
    assert m.FinalMark.objects.filter(course=course, kind="exam").get().value == "5"
    assert not m.FinalMark.objects.filter(course=course, kind="year").exists()


def test_exam_marks_in_other_grades_when_the_teacher_asks(
    world: World, marks: None, client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")
    assert client.post(url(world.math_5a), post(world.child, "exam", "5")).status_code == 404

    response = client.get(url(world.math_5a, exam="1"))
    _row, cells = response.context["rows"][0]
    assert [c.kind for c in cells] == ["year", "exam", "final"]
    response = client.post(url(world.math_5a), post(world.child, "exam", "5", exam="1"))
    assert response.status_code == 302
    assert "exam=1" in response.url
    # Once an exam mark exists, the column stays.
    _row, cells = client.get(url(world.math_5a)).context["rows"][0]
    assert "exam" in [c.kind for c in cells]


def test_the_period_page_and_the_course_page_link_to_the_year_page(
    world: World, quarters: list[m.StudyPeriod], client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")
    target = reverse("journal:course_finals_year", args=[world.math_5a.pk])
    for page in ("journal:course_finals", "journal:course_detail"):
        html = client.get(reverse(page, args=[world.math_5a.pk])).content.decode()
        assert f'href="{target}"' in html, page


# --- Query budget ------------------------------------------------------------------------------------

_serial = count()

# The year page for its teacher, constant in the number of students:
#   1–4. session, user, school, the user's roles (every authenticated page)
#   5. the course with class, year, school, subject and subgroup (access layer)
#   6. the grade's period scheme              7. the periods of the year
#   8. the grading policy in force            9. the students enrolled during the year
#   10. the final marks of the course (periods, year, exam, final) with their authors
#   11. does the user teach the course (EXISTS)
#   12. the unread-messages count of the navigation (base.html)
BUDGET = 12


def _grow(world: World, quarters: list[m.StudyPeriod], n: int) -> None:
    for _ in range(n):
        pupil = StudentFactory(school=world.school, last_name=f"Ученик{next(_serial):03}")
        enrolment_create(actor=None, student=pupil, class_group=world.class_5a, date_from=YEAR_START)
        period_marks(world.math_5a, quarters, pupil, "4", "5", "3", "4")
        m.FinalMark.objects.create(
            course=world.math_5a, student=pupil, kind="year", value="4", suggested="4", author=world.users["teacher"]
        )


def _count(client: Client, course: m.Course) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(course))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_year_page_runs_a_constant_number_of_queries(
    world: World, quarters: list[m.StudyPeriod], client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")
    _grow(world, quarters, 3)
    small = _count(client, world.math_5a)
    _grow(world, quarters, 15)
    large = _count(client, world.math_5a)

    assert small == large <= BUDGET
    assert len(client.get(url(world.math_5a)).context["rows"]) == 2 + 18


def test_save_all_stores_the_year_and_the_final_mark_of_every_row_at_once(
    world: World, marks: None, client_for: Callable[[str], Client]
) -> None:
    data = {"save_all": "1"}
    data.update({k: v for k, v in post(world.child, "year", "4").items() if "-" in k})
    data.update({k: v for k, v in post(world.child, "final", "4").items() if "-" in k})
    data.update({k: v for k, v in post(world.other_child, "year", "").items() if "-" in k})  # «—»: left alone

    response = client_for("teacher").post(url(world.math_5a), data)

    assert response.status_code == 302
    assert response.url.endswith("#year-save-all")
    stored = dict(m.FinalMark.objects.filter(kind__in=["year", "final"]).values_list("kind", "value"))
    assert stored == {"year": "4", "final": "4"}
    assert not m.FinalMark.objects.filter(student=world.other_child).exists()


def test_save_all_of_the_year_saves_nothing_when_one_mark_is_refused(
    world: World, marks: None, client_for: Callable[[str], Client]
) -> None:
    data = {"save_all": "1"}
    data.update({k: v for k, v in post(world.child, "year", "4").items() if "-" in k})
    data.update({k: v for k, v in post(world.child, "final", "5").items() if "-" in k})  # differs, no reason

    response = client_for("teacher").post(url(world.math_5a), data)

    assert response.status_code == 400
    assert 'data-testid="row-error"' in response.content.decode()
    assert not m.FinalMark.objects.filter(kind__in=["year", "final"]).exists()
