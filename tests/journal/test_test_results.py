"""The «results given» date of a test (§4.4): its marks are due within a day after it.

Without the date a test's marks follow the grade rule (3 days in grades 1–4, 7 in 5–11);
the date is set on the lesson page by the lesson's teacher and kept in the lesson's history.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from journal import models as m
from journal.services.marks import mark_set
from journal.services.plans import lesson_set_results_on
from tests.conftest import World

TODAY = timezone.localdate()


def _days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def _test(world: World, day: datetime.date, **fields: object) -> m.Lesson:
    return m.Lesson.objects.create(
        course=world.math_5a, date=day, slot=1, kind=m.LessonKind.TEST, teacher=world.users["teacher"], **fields
    )


@pytest.mark.dated
def test_a_mark_two_days_after_the_results_is_late_one_day_after_is_not(world: World) -> None:
    teacher = world.users["teacher"]
    given_two_days_ago = _test(world, _days_ago(5), results_on=_days_ago(2))
    given_yesterday = _test(world, _days_ago(4), results_on=_days_ago(1))

    assert mark_set(actor=teacher, lesson=given_two_days_ago, student=world.child, value="4").is_late is True
    assert mark_set(actor=teacher, lesson=given_yesterday, student=world.child, value="4").is_late is False


def test_a_test_without_a_results_date_follows_the_grade_rule(world: World) -> None:
    teacher = world.users["teacher"]
    six_days = _test(world, _days_ago(6))
    eight_days = _test(world, _days_ago(8))

    assert mark_set(actor=teacher, lesson=six_days, student=world.child, value="4").is_late is False
    assert mark_set(actor=teacher, lesson=eight_days, student=world.child, value="4").is_late is True


def test_a_results_date_on_an_ordinary_lesson_changes_nothing(world: World) -> None:
    ordinary = m.Lesson.objects.create(
        course=world.math_5a, date=_days_ago(5), slot=2, results_on=_days_ago(3), teacher=world.users["teacher"]
    )
    assert mark_set(actor=world.users["teacher"], lesson=ordinary, student=world.child, value="5").is_late is False


def test_the_policy_sets_the_days_after_the_results(world: World) -> None:
    m.GradingPolicy.objects.create(school=world.school, valid_from=world.year.start, late_days_test=3)
    lesson = _test(world, _days_ago(5), results_on=_days_ago(3))
    assert mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4").is_late is False


@pytest.fixture
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_the_service_sets_the_date_with_history_and_refuses_bad_ones(world: World, english: None) -> None:
    teacher = world.users["teacher"]
    lesson = _test(world, _days_ago(3))

    lesson_set_results_on(actor=teacher, lesson=lesson, results_on=_days_ago(1))

    lesson.refresh_from_db()
    assert lesson.results_on == _days_ago(1)
    last = m.Lesson.history.filter(id=lesson.pk).latest("history_date")
    assert (last.results_on, last.history_user) == (_days_ago(1), teacher)
    with pytest.raises(ValidationError, match="before the test"):
        lesson_set_results_on(actor=teacher, lesson=lesson, results_on=_days_ago(4))
    with pytest.raises(ValidationError, match="in the future"):
        lesson_set_results_on(actor=teacher, lesson=lesson, results_on=TODAY + datetime.timedelta(days=1))
    ordinary = m.Lesson.objects.create(course=world.math_5a, date=_days_ago(3), slot=2)
    with pytest.raises(ValidationError, match="Only a test"):
        lesson_set_results_on(actor=teacher, lesson=ordinary, results_on=_days_ago(1))
    lesson.refresh_from_db()
    assert lesson.results_on == _days_ago(1)

    lesson_set_results_on(actor=teacher, lesson=lesson, results_on=None)
    lesson.refresh_from_db()
    assert lesson.results_on is None


def test_a_locked_period_refuses_the_results_date(world: World, english: None) -> None:
    m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=1, start=_days_ago(20), end=TODAY, is_locked=True
    )
    lesson = _test(world, _days_ago(3))
    with pytest.raises(ValidationError, match="locked"):
        lesson_set_results_on(actor=world.users["teacher"], lesson=lesson, results_on=_days_ago(1))


# --- The lesson page ------------------------------------------------------------------------------


def _post(client: Client, lesson: m.Lesson, day: str) -> object:
    return client.post(reverse("journal:lesson_results", args=[lesson.pk]), {"results_on": day})


def test_the_teacher_sets_the_date_on_the_lesson_page_and_sees_it_in_russian(
    world: World, client_for: Callable[[str], Client]
) -> None:
    lesson = _test(world, _days_ago(3), status="held")
    client = client_for("teacher")

    page = client.get(reverse("journal:lesson_detail", args=[lesson.pk])).content.decode()
    assert "Результаты выданы" in page
    assert 'data-testid="results-form"' in page

    response = _post(client, lesson, _days_ago(1).isoformat())
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.results_on == _days_ago(1)
    page = client.get(response.url).content.decode()
    assert _days_ago(1).strftime("%d.%m.%Y") in page


def test_a_bad_date_is_refused_with_a_russian_message_and_nothing_changes(
    world: World, client_for: Callable[[str], Client]
) -> None:
    lesson = _test(world, _days_ago(3), status="held")
    client = client_for("teacher")

    response = _post(client, lesson, _days_ago(5).isoformat())

    assert response.status_code == 302
    assert "до контрольной" in client.get(response.url).content.decode()
    lesson.refresh_from_db()
    assert lesson.results_on is None


def test_an_ordinary_lesson_has_no_results_form(world: World, client_for: Callable[[str], Client]) -> None:
    lesson = m.Lesson.objects.create(course=world.math_5a, date=_days_ago(3), slot=2)
    page = client_for("teacher").get(reverse("journal:lesson_detail", args=[lesson.pk])).content.decode()
    assert 'data-testid="results-form"' not in page


@pytest.mark.parametrize("persona", ["student", "parent", "other_teacher", "class_teacher", "deputy"])
def test_others_cannot_set_the_date(world: World, client_for: Callable[[str], Client], persona: str) -> None:
    lesson = _test(world, _days_ago(3), status="held")

    response = _post(client_for(persona), lesson, _days_ago(1).isoformat())

    assert response.status_code in (403, 404)
    lesson.refresh_from_db()
    assert lesson.results_on is None
    assert not m.Lesson.history.filter(id=lesson.pk, results_on__isnull=False).exists()
