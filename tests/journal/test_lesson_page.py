"""The lesson page: who marks a lesson held and sets its topic; who only reads it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from journal import models as m
from journal.permissions import sync_user_object
from tests.conftest import World
from tests.journal.test_plans import make_lessons, make_plan, weekdays

# Also run on SQLite, the zero-setup default (scripts/test.sh).
pytestmark = pytest.mark.both_engines


@pytest.fixture(autouse=True)
def english_users(world: World) -> None:
    """Every persona chose English (the msgids) for the interface."""
    User.objects.update(language="en")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def url(name: str, lesson: m.Lesson) -> str:
    return reverse(f"journal:{name}", args=[lesson.pk])


def state(lesson: m.Lesson) -> tuple[str, str, int | None, str, int | None]:
    lesson.refresh_from_db()
    return lesson.status, lesson.topic, lesson.plan_item_id, lesson.kind, lesson.teacher_id


def substitute(world: World, lesson: m.Lesson, persona: str = "other_teacher") -> None:
    """``persona`` substitutes ``teacher`` on exactly this lesson (as the substitution service will)."""
    user = world.users[persona]
    m.Substitution.objects.create(
        lesson=lesson,
        absent_teacher=world.users["teacher"],
        substitute=user,
        reason="Болезнь",
        created_by=world.users["deputy"],
    )
    sync_user_object(user, lesson)


def test_teacher_marks_the_lesson_held_and_the_topic_comes_from_the_plan(
    world: World, client_for: Callable[[str], Client]
) -> None:
    plan = make_plan(world.math_5a)
    (lesson,) = make_lessons(world.math_5a, weekdays(1))
    client = client_for("teacher")

    page = client.get(url("lesson_detail", lesson)).content.decode()
    assert "The topic will be taken from the plan: 1. Натуральные числа" in page

    response = client.post(url("lesson_hold", lesson))

    assert response.status_code == 302
    item = plan.items.get(order=1)
    assert state(lesson) == ("held", "Натуральные числа", item.pk, "ordinary", world.users["teacher"].pk)
    page = client.get(url("lesson_detail", lesson)).content.decode()
    assert "Натуральные числа" in page
    assert 'data-testid="unhold"' in page


def test_teacher_changes_the_topic_and_picks_another_plan_item(
    world: World, client_for: Callable[[str], Client]
) -> None:
    plan = make_plan(world.math_5a)
    (lesson,) = make_lessons(world.math_5a, weekdays(1))
    client = client_for("teacher")
    client.post(url("lesson_hold", lesson))
    test_item = plan.items.get(order=2)

    response = client.post(url("lesson_detail", lesson), {"topic": "", "kind": "ordinary", "plan_item": test_item.pk})

    assert response.status_code == 302
    # The item's topic comes along; the kind the form sent wins over the item's.
    assert state(lesson)[:4] == ("held", "Контрольная работа № 1", test_item.pk, "ordinary")

    client.post(url("lesson_detail", lesson), {"topic": "Решение задач", "kind": "practical", "plan_item": ""})
    assert state(lesson)[:4] == ("held", "Решение задач", None, "practical")


def test_an_empty_topic_without_an_item_is_refused_on_the_page(
    world: World, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = make_lessons(world.math_5a, weekdays(1))
    before = state(lesson)

    response = client_for("teacher").post(url("lesson_detail", lesson), {"topic": " ", "kind": "ordinary"})

    assert response.status_code == 400
    assert "Enter the topic, or choose an item of the plan." in response.content.decode()
    assert state(lesson) == before


def test_teacher_takes_back_a_lesson_marked_held_by_mistake(world: World, client_for: Callable[[str], Client]) -> None:
    make_plan(world.math_5a)
    (lesson,) = make_lessons(world.math_5a, weekdays(1))
    client = client_for("teacher")
    client.post(url("lesson_hold", lesson))

    client.post(url("lesson_unhold", lesson))

    assert state(lesson)[0] == "planned"


def test_a_substitute_holds_exactly_the_substituted_lesson(world: World, client_for: Callable[[str], Client]) -> None:
    make_plan(world.math_5a)
    substituted, other = make_lessons(world.math_5a, weekdays(2))
    substitute(world, substituted)
    client = client_for("other_teacher")

    page = client.get(url("lesson_detail", substituted))
    assert page.status_code == 200
    assert reverse("journal:plan_detail", args=[world.math_5a.pk]) not in page.content.decode()
    assert client.post(url("lesson_hold", substituted)).status_code == 302
    assert (
        client.post(url("lesson_detail", substituted), {"topic": "Замена: задачи", "kind": "ordinary"}).status_code
        == 302
    )
    assert state(substituted)[:2] == ("held", "Замена: задачи")
    assert state(substituted)[4] == world.users["other_teacher"].pk  # the teacher who actually taught

    before = state(other)
    assert client.get(url("lesson_detail", other)).status_code == 404
    assert client.post(url("lesson_hold", other)).status_code == 404
    assert client.post(url("lesson_detail", other), {"topic": "x", "kind": "ordinary"}).status_code == 404
    assert state(other) == before
    # …and the course's plan stays out of reach.
    assert client.get(reverse("journal:plan_detail", args=[world.math_5a.pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("class_teacher", 200, 403),
        ("administrator", 200, 403),
        ("deputy", 200, 403),
        ("director", 200, 403),
        ("other_teacher", 404, 404),
        ("foreign_teacher", 404, 404),
        ("parent", 403, 403),
        ("student", 403, 403),
    ],
)
def test_only_the_teacher_writes_a_lesson_others_read_or_see_nothing(
    world: World, client_for: Callable[[str], Client], persona: str, read: int, write: int
) -> None:
    make_plan(world.math_5a)
    (lesson,) = make_lessons(world.math_5a, weekdays(1))
    before = state(lesson)
    client = client_for(persona)

    response = client.get(url("lesson_detail", lesson))

    assert response.status_code == read
    if read == 200:
        content = response.content.decode()
        assert 'data-testid="hold"' not in content
        assert 'data-testid="topic-form"' not in content
    assert client.post(url("lesson_hold", lesson)).status_code == write
    assert client.post(url("lesson_unhold", lesson)).status_code == write
    assert client.post(url("lesson_detail", lesson), {"topic": "Чужая тема", "kind": "test"}).status_code == write
    assert state(lesson) == before


def test_a_cancelled_lesson_cannot_be_held_and_says_why(world: World, client_for: Callable[[str], Client]) -> None:
    (lesson,) = make_lessons(world.math_5a, weekdays(1))
    lesson.status = m.LessonStatus.CANCELLED
    lesson.save()
    client = client_for("teacher")

    response = client.post(url("lesson_hold", lesson), follow=True)

    assert "The lesson is cancelled: restore it before marking it held." in response.content.decode()
    assert state(lesson)[0] == "cancelled"


def test_course_lesson_list_shows_dates_topics_and_statuses(world: World, client_for: Callable[[str], Client]) -> None:
    make_plan(world.math_5a)
    lessons = make_lessons(world.math_5a, weekdays(3))
    client = client_for("teacher")
    client.post(url("lesson_hold", lessons[0]))

    response = client_for("class_teacher").get(reverse("journal:course_lessons", args=[world.math_5a.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('href="/lessons/') == 3
    assert "Натуральные числа" in content
    assert ">01.09<" in content
