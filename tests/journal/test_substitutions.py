"""Substitutions: the substitute gets exactly the substituted lessons, and the log (page, PDF, XLSX).

``teacher`` (Иванова, 5А mathematics) is absent; ``other_teacher`` (Петров,
6Б Russian) substitutes unless a test says otherwise.
"""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from collections.abc import Callable, Iterator
from itertools import count

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.roles import Role
from journal import models as m
from journal.access import get_lesson_for_user
from journal.services.structure import teaching_assignment_create
from journal.services.substitutions import substitution_assign, substitution_assign_range, substitution_remove
from journal.views import substitutions as substitution_views
from tests.conftest import World
from tests.factories import YEAR_START, SubjectFactory, UserFactory

MONDAY = datetime.date(2026, 10, 5)
TUESDAY = MONDAY + datetime.timedelta(days=1)
WEDNESDAY = MONDAY + datetime.timedelta(days=2)
OCTOBER = "2026-10"

pytestmark = pytest.mark.usefixtures("bells")


@pytest.fixture(autouse=True)
def english(settings) -> Iterator[None]:
    """Messages are compared with their English msgids here, whatever catalogs are compiled;
    their Russian is checked in the ``*_ru`` module beside this one."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_lesson(course: m.Course, day: datetime.date, slot: int, **fields: object) -> m.Lesson:
    assignment = course.assignments.order_by("date_from").first()
    fields.setdefault("teacher", assignment.teacher if assignment else None)
    return m.Lesson.objects.create(course=course, date=day, slot=slot, **fields)


@pytest.fixture
def lesson(world: World) -> m.Lesson:
    return make_lesson(world.math_5a, MONDAY, 2)


@pytest.fixture
def other_lesson(world: World) -> m.Lesson:
    """Another lesson of the same course: the substitute must not reach it."""
    return make_lesson(world.math_5a, TUESDAY, 3)


def assign(world: World, lesson: m.Lesson, substitute: str = "other_teacher", reason: str = "Болезнь"):
    return substitution_assign(
        actor=world.users["deputy"], lesson=lesson, substitute=world.users[substitute], reason=reason
    )


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


# --- one lesson ------------------------------------------------------------------------------


def test_substitute_can_write_exactly_the_substituted_lesson(
    world: World, lesson: m.Lesson, other_lesson: m.Lesson
) -> None:
    substitute = world.users["other_teacher"]

    substitution = assign(world, lesson)

    assert (substitution.absent_teacher, substitution.substitute) == (world.users["teacher"], substitute)
    lesson.refresh_from_db()
    assert lesson.teacher == substitute  # who actually taught
    assert get_lesson_for_user(substitute, world.school, lesson.pk, write=True) == lesson
    with pytest.raises(Http404):
        get_lesson_for_user(substitute, world.school, other_lesson.pk)
    perms = set(
        m.LessonUserObjectPermission.objects.filter(user=substitute).values_list(
            "content_object_id", "permission__codename"
        )
    )
    assert perms == {(lesson.pk, "view_lesson"), (lesson.pk, "change_lesson")}


def test_removing_the_substitution_gives_the_lesson_back_and_revokes_the_access(world: World, lesson: m.Lesson) -> None:
    substitute = world.users["other_teacher"]
    substitution = assign(world, lesson)

    substitution_remove(actor=world.users["deputy"], substitution=substitution)

    lesson.refresh_from_db()
    assert lesson.teacher == world.users["teacher"]
    assert not m.Substitution.objects.exists()
    assert not m.LessonUserObjectPermission.objects.filter(user=substitute).exists()
    with pytest.raises(Http404):
        get_lesson_for_user(substitute, world.school, lesson.pk, write=True)


def test_the_absent_teacher_keeps_the_course_and_can_still_open_the_lesson(world: World, lesson: m.Lesson) -> None:
    assign(world, lesson)

    assert get_lesson_for_user(world.users["teacher"], world.school, lesson.pk, write=True) == lesson


def test_the_absent_teacher_cannot_be_their_own_substitute(world: World, lesson: m.Lesson) -> None:
    with pytest.raises(ValidationError, match="cannot substitute their own lesson"):
        assign(world, lesson, substitute="teacher")

    assert not m.Substitution.objects.exists()


def test_a_substitute_busy_in_that_slot_is_refused_with_the_clash_named(world: World, lesson: m.Lesson) -> None:
    make_lesson(world.russian_6b, MONDAY, 2)

    with pytest.raises(ValidationError) as refused:
        assign(world, lesson)

    assert refused.value.messages == [
        "Teacher Петров О. {}. already has a lesson then: 6Б · Русский язык, 05.10.2026, lesson 2.".format(
            world.users["other_teacher"].middle_name[0]
        )
    ]
    assert not m.Substitution.objects.exists()
    assert not m.LessonUserObjectPermission.objects.exists()
    lesson.refresh_from_db()
    assert lesson.teacher == world.users["teacher"]


def test_a_cancelled_lesson_or_one_already_substituted_is_refused(world: World, lesson: m.Lesson) -> None:
    assign(world, lesson)
    with pytest.raises(ValidationError, match="already has a substitute: Петров"):
        assign(world, lesson, substitute="class_teacher")

    cancelled = make_lesson(world.math_5a, WEDNESDAY, 1, status=m.LessonStatus.CANCELLED)
    with pytest.raises(ValidationError, match="is cancelled"):
        assign(world, cancelled)


@pytest.mark.parametrize("persona", ["parent", "foreign_teacher"])
def test_the_substitute_must_be_a_teacher_of_the_school(world: World, lesson: m.Lesson, persona: str) -> None:
    with pytest.raises(ValidationError) as refused:
        assign(world, lesson, substitute=persona)

    assert "substitute" in refused.value.message_dict


def test_a_reason_is_required(world: World, lesson: m.Lesson) -> None:
    with pytest.raises(ValidationError) as refused:
        assign(world, lesson, reason=" ")

    assert "reason" in refused.value.message_dict


@pytest.mark.parametrize("persona", ["teacher", "class_teacher", "director"])
def test_only_the_deputy_or_administrator_assigns(world: World, lesson: m.Lesson, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        substitution_assign(
            actor=world.users[persona], lesson=lesson, substitute=world.users["other_teacher"], reason="Болезнь"
        )


# --- a date range ---------------------------------------------------------------------------


def test_range_gives_the_substitute_every_lesson_of_the_absent_teacher_in_the_dates(world: World) -> None:
    course_6b = m.Course.objects.create(class_group=world.class_6b, subject=world.math_5a.subject)
    teaching_assignment_create(actor=None, course=course_6b, teacher=world.users["teacher"], date_from=YEAR_START)
    inside = [
        make_lesson(world.math_5a, MONDAY, 1),
        make_lesson(course_6b, MONDAY, 3),
        make_lesson(world.math_5a, TUESDAY, 2),
    ]
    before = make_lesson(world.math_5a, MONDAY - datetime.timedelta(days=3), 1)
    after = make_lesson(world.math_5a, WEDNESDAY + datetime.timedelta(days=1), 1)
    cancelled = make_lesson(world.math_5a, WEDNESDAY, 4, status=m.LessonStatus.CANCELLED)
    substitute = world.users["other_teacher"]

    made = substitution_assign_range(
        actor=world.users["deputy"],
        absent_teacher=world.users["teacher"],
        date_from=MONDAY,
        date_to=WEDNESDAY,
        substitute=substitute,
        reason="Курсы повышения квалификации",
    )

    assert sorted(s.lesson_id for s in made) == sorted(lesson.pk for lesson in inside)
    for lesson in inside:
        assert get_lesson_for_user(substitute, world.school, lesson.pk, write=True).teacher == substitute
    for lesson in (before, after, cancelled):
        with pytest.raises(Http404):
            get_lesson_for_user(substitute, world.school, lesson.pk)


def test_range_is_all_or_nothing_and_names_every_clash(world: World) -> None:
    make_lesson(world.math_5a, MONDAY, 1)
    make_lesson(world.math_5a, TUESDAY, 2)
    make_lesson(world.russian_6b, TUESDAY, 2)  # the substitute teaches then

    with pytest.raises(ValidationError) as refused:
        substitution_assign_range(
            actor=world.users["deputy"],
            absent_teacher=world.users["teacher"],
            date_from=MONDAY,
            date_to=WEDNESDAY,
            substitute=world.users["other_teacher"],
            reason="Болезнь",
        )

    assert len(refused.value.messages) == 1
    assert "6Б · Русский язык, 06.10.2026, lesson 2" in refused.value.messages[0]
    assert not m.Substitution.objects.exists()
    assert not m.LessonUserObjectPermission.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "absent", "expected"),
    [
        (MONDAY, WEDNESDAY, "teacher", "has no lessons to substitute"),
        (WEDNESDAY, MONDAY, "teacher", "before the first day"),
        (MONDAY, WEDNESDAY, "other_teacher", "cannot be their own substitute"),
    ],
)
def test_range_refuses_bad_input(
    world: World, start: datetime.date, end: datetime.date, absent: str, expected: str
) -> None:
    with pytest.raises(ValidationError, match=expected):
        substitution_assign_range(
            actor=world.users["deputy"],
            absent_teacher=world.users[absent],
            date_from=start,
            date_to=end,
            substitute=world.users["other_teacher"],
            reason="Болезнь",
        )


# --- the log: who sees which rows ---------------------------------------------------------------


@pytest.fixture
def log(world: World, lesson: m.Lesson) -> dict[str, m.Substitution]:
    """Three October rows and one November row.

    ``mine``: teacher absent, other_teacher substitutes (5А maths).
    ``theirs``: other_teacher absent, class_teacher substitutes (6Б Russian).
    ``stranger``: a third teacher absent, class_teacher substitutes.
    ``november``: teacher absent again, in November.
    """
    third = UserFactory(username="third", roles=(Role.TEACHER,), last_name="Третьякова", school=world.school)
    art = m.Course.objects.create(class_group=world.class_6b, subject=SubjectFactory(school=world.school, name="ИЗО"))
    teaching_assignment_create(actor=None, course=art, teacher=third, date_from=YEAR_START)
    deputy = world.users["deputy"]
    rows = {
        "mine": assign(world, lesson, reason="Болезнь"),
        "theirs": substitution_assign(
            actor=deputy,
            lesson=make_lesson(world.russian_6b, TUESDAY, 1),
            substitute=world.users["class_teacher"],
            reason="Курсы",
        ),
        "stranger": substitution_assign(
            actor=deputy,
            lesson=make_lesson(art, WEDNESDAY, 4),
            substitute=world.users["class_teacher"],
            reason="Отпуск",
        ),
        "november": assign(world, make_lesson(world.math_5a, datetime.date(2026, 11, 9), 2), reason="Семинар"),
    }
    return rows


def log_url(name: str = "journal:substitution_log", month: str = OCTOBER) -> str:
    return f"{reverse(name)}?month={month}"


def test_deputy_sees_the_whole_months_log(
    world: World, log: dict[str, m.Substitution], client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").get(log_url())

    assert list(response.context["substitutions"]) == [log["mine"], log["theirs"], log["stranger"]]
    page = response.content.decode()
    assert "Болезнь" in page and "Курсы" in page and "Отпуск" in page and "Семинар" not in page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("teacher", ["mine"]), ("other_teacher", ["mine", "theirs"]), ("class_teacher", ["theirs", "stranger"])],
)
def test_a_teacher_sees_only_rows_where_they_are_absent_or_substitute(
    world: World, log: dict[str, m.Substitution], client_for: Callable[[str], Client], persona: str, expected: list[str]
) -> None:
    response = client_for(persona).get(log_url())

    assert list(response.context["substitutions"]) == [log[name] for name in expected]


def test_november_shows_only_novembers_rows(
    world: World, log: dict[str, m.Substitution], client_for: Callable[[str], Client]
) -> None:
    response = client_for("director").get(log_url(month="2026-11"))

    assert list(response.context["substitutions"]) == [log["november"]]


def test_the_log_pdf_names_the_document_the_school_and_the_substitutes(
    world: World, log: dict[str, m.Substitution], client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").get(log_url("journal:substitution_log_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="substitutions-2026-10.pdf"'
    text = pdf_text(response.content)
    assert "Lesson substitution log" in text
    assert "Школа № 1" in text
    assert "Петров" in text and "Смирнова" in text  # the substitutes
    assert "Третьякова" in text  # an absent teacher
    assert "Семинар" not in text  # November


def test_the_log_pdf_of_a_teacher_holds_only_their_rows(
    world: World, log: dict[str, m.Substitution], client_for: Callable[[str], Client]
) -> None:
    text = pdf_text(client_for("teacher").get(log_url("journal:substitution_log_pdf")).content)

    assert "Петров" in text and "Болезнь" in text
    assert "Третьякова" not in text and "Курсы" not in text


def test_a_long_log_is_rendered_in_chunks_with_continuous_page_numbers(
    world: World, client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(substitution_views, "LOG_ROWS_PER_CHUNK", 4)
    deputy = world.users["deputy"]
    for day in range(10):
        lesson = make_lesson(world.math_5a, MONDAY + datetime.timedelta(days=day), 1)
        m.Substitution.objects.create(
            lesson=lesson,
            absent_teacher=world.users["teacher"],
            substitute=world.users["other_teacher"],
            reason=f"Причина {day}",
            created_by=deputy,
        )

    response = client_for("deputy").get(log_url("journal:substitution_log_pdf"))
    pages = [p for p in pdf_text(response.content).split("\f") if p.strip()]

    assert len(pages) == 3  # rows 1–4, 5–8, 9–10
    assert [f"p. {n} of 3" in page for n, page in enumerate(pages, start=1)] == [True, True, True]
    assert all(f"Причина {day}" in "".join(pages) for day in range(10))
    assert re.search(r"^10\s+14\.10\.2026", pages[2], re.MULTILINE)  # row numbers continue across chunks


def test_the_log_xlsx_holds_the_months_rows(
    world: World, log: dict[str, m.Substitution], client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").get(log_url("journal:substitution_log_xlsx"))

    assert response["Content-Disposition"] == 'attachment; filename="substitutions-2026-10.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(rows) == 4
    assert rows[1][0].date() == MONDAY
    assert rows[1][1:] == [
        "5А",
        "Математика",
        2,
        world.users["teacher"].short_name,
        world.users["other_teacher"].short_name,
        "Болезнь",
    ]
    assert [r[6] for r in rows[1:]] == ["Болезнь", "Курсы", "Отпуск"]


def test_the_log_xlsx_of_a_teacher_holds_only_their_rows(
    world: World, log: dict[str, m.Substitution], client_for: Callable[[str], Client]
) -> None:
    response = client_for("other_teacher").get(log_url("journal:substitution_log_xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[6].value for row in sheet.iter_rows(min_row=2)] == ["Болезнь", "Курсы"]


def test_a_reason_that_looks_like_a_formula_stays_text_in_the_xlsx(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    assign(world, lesson, reason='=HYPERLINK("http://evil.example")')

    sheet = load_workbook(io.BytesIO(client_for("deputy").get(log_url("journal:substitution_log_xlsx")).content)).active

    assert sheet["G2"].value == '=HYPERLINK("http://evil.example")'  # as typed, stored as text
    assert sheet["G2"].data_type == "s" and sheet["G2"].quotePrefix


# --- assigning and removing through the pages ------------------------------------------------


def test_deputy_assigns_a_substitute_to_one_lesson_from_the_form(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    client = client_for("deputy")
    url = f"{reverse('journal:substitution_assign')}?lesson={lesson.pk}"
    assert "5А · Математика" in client.get(url).content.decode()

    response = client.post(
        reverse("journal:substitution_assign"),
        {"lesson": lesson.pk, "substitute": world.users["other_teacher"].pk, "reason": "Болезнь"},
    )

    assert response.status_code == 302
    assert response.url == log_url()
    assert m.Substitution.objects.get().lesson == lesson


def test_deputy_assigns_a_range_from_the_form(world: World, client_for: Callable[[str], Client]) -> None:
    make_lesson(world.math_5a, MONDAY, 1)
    make_lesson(world.math_5a, TUESDAY, 1)

    response = client_for("deputy").post(
        reverse("journal:substitution_assign"),
        {
            "absent_teacher": world.users["teacher"].pk,
            "date_from": "2026-10-05",
            "date_to": "2026-10-09",
            "substitute": world.users["class_teacher"].pk,
            "reason": "Больничный",
        },
    )

    assert response.status_code == 302
    assert m.Substitution.objects.filter(substitute=world.users["class_teacher"]).count() == 2


def test_a_clash_in_the_form_is_shown_and_nothing_is_saved(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    make_lesson(world.russian_6b, MONDAY, 2)

    response = client_for("deputy").post(
        reverse("journal:substitution_assign"),
        {"lesson": lesson.pk, "substitute": world.users["other_teacher"].pk, "reason": "Болезнь"},
    )

    assert response.status_code == 200
    assert "6Б · Русский язык, 05.10.2026, lesson 2" in response.content.decode()
    assert not m.Substitution.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("teacher", 403), ("foreign_teacher", 403), ("parent", 403)])
def test_assigning_is_refused_to_everyone_but_the_deputy_and_administrator(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client], persona: str, status: int
) -> None:
    response = client_for(persona).post(
        reverse("journal:substitution_assign"),
        {"lesson": lesson.pk, "substitute": world.users["other_teacher"].pk, "reason": "Болезнь"},
    )

    assert response.status_code == status
    assert not m.Substitution.objects.exists()


def test_assigning_for_a_lesson_of_another_school_is_not_found(
    world: World, client_for: Callable[[str], Client]
) -> None:
    foreign = make_lesson(world.foreign_course, MONDAY, 1)

    response = client_for("deputy").get(f"{reverse('journal:substitution_assign')}?lesson={foreign.pk}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status", "removed"),
    [
        ("anonymous", 302, False),
        ("teacher", 403, False),  # absent: sees the row, may not remove it
        ("other_teacher", 403, False),  # the substitute: the same
        ("class_teacher", 404, False),  # not in the row
        ("foreign_teacher", 404, False),
        ("parent", 403, False),
        ("director", 403, False),
        ("deputy", 302, True),
        ("administrator", 302, True),
    ],
)
def test_removing_through_the_page(
    world: World,
    lesson: m.Lesson,
    client_for: Callable[[str], Client],
    persona: str,
    status: int,
    removed: bool,
) -> None:
    substitution = assign(world, lesson)

    response = client_for(persona).post(reverse("journal:substitution_remove", args=[substitution.pk]))

    assert response.status_code == status
    assert m.Substitution.objects.filter(pk=substitution.pk).exists() is not removed


# --- query budget -------------------------------------------------------------------------------

_serial = count()


def _grow(world: World, n: int) -> None:
    deputy = world.users["deputy"]
    for _ in range(n):
        i = next(_serial)
        absent = UserFactory(username=f"absent{i}", roles=(Role.TEACHER,), school=world.school)
        subgroup = m.Subgroup.objects.create(
            class_group=world.class_5a, subject=SubjectFactory(school=world.school, name=f"Предмет {i}"), name="1 гр."
        )
        course = m.Course.objects.create(class_group=world.class_5a, subject=subgroup.subject, subgroup=subgroup)
        lesson = m.Lesson.objects.create(course=course, date=MONDAY + datetime.timedelta(days=i % 20), slot=1 + i % 7)
        m.Substitution.objects.create(
            lesson=lesson,
            absent_teacher=absent,
            substitute=world.users["other_teacher"],
            reason="Болезнь",
            created_by=deputy,
        )


# The four of every page (session, user, school, roles), then:
#   5. the log rows with lesson, course, class, subject, subgroup, absent teacher and substitute
SUBSTITUTION_LOG_BUDGET = 5


def test_the_log_page_query_count_does_not_grow_with_the_rows(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("deputy")
    _grow(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(log_url()).context["substitutions"]) == 3
    _grow(world, 15)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(log_url()).context["substitutions"]) == 18

    assert len(many) == len(few)
    assert len(many) <= SUBSTITUTION_LOG_BUDGET, "\n".join(q["sql"][:150] for q in many.captured_queries)
