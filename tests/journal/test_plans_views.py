"""The plan pages: who edits which plan, what the pages show, and their query budgets."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.roles import Role
from journal import models as m
from journal.services.plans import lesson_hold
from journal.services.structure import teaching_assignment_create
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, UserFactory
from tests.journal.test_plans import items_of, make_lessons, make_plan, weekdays


@pytest.fixture(autouse=True)
def english_users(world: World) -> None:
    """Every persona chose English (the msgids) for the interface."""
    User.objects.update(language="en")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def plan_url(world: World, name: str = "plan_detail", course: m.Course | None = None, **kwargs: Any) -> str:
    return reverse(f"journal:{name}", kwargs={"course_id": (course or world.math_5a).pk, **kwargs})


def _math_5b(world: World, teacher: Any = None) -> m.Course:
    class_5b = ClassGroupFactory(year=world.year, grade=5, letter="Б")
    course = m.Course.objects.create(class_group=class_5b, subject=world.math_5a.subject)
    if teacher is not None:
        teaching_assignment_create(actor=None, course=course, teacher=teacher, date_from=YEAR_START)
    return course


# --- The teacher edits their own plan --------------------------------------------------------


def test_teacher_creates_the_plan_adds_edits_moves_and_deletes_rows(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")

    assert client.post(plan_url(world, "plan_create"), {"scope": "course"}).status_code == 302
    plan = m.ThematicPlan.objects.get(course=world.math_5a)
    for topic, hours in (("Числа", "2"), ("Углы", "1"), ("Дроби", "3")):
        response = client.post(plan_url(world, "plan_item_add"), {"topic": topic, "hours": hours, "kind": "ordinary"})
        assert response.status_code == 302
    first, second, third = plan.items.order_by("order")

    response = client.post(
        plan_url(world, "plan_item_edit", item_id=second.pk),
        {"topic": "Углы и их измерение", "hours": "2", "kind": "test"},
    )
    assert response.status_code == 302
    client.post(plan_url(world, "plan_item_move", item_id=third.pk), {"direction": "up"})
    client.post(plan_url(world, "plan_item_delete", item_id=first.pk))

    assert items_of(plan) == [(1, "Дроби", 3, "ordinary"), (2, "Углы и их измерение", 2, "test")]
    page = client.get(plan_url(world))
    assert page.status_code == 200
    assert page.context["check"].plan_hours == 5
    assert "Hours do not match." in page.content.decode()


def test_adding_a_row_with_zero_hours_shows_the_error_and_saves_nothing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    plan = make_plan(world.math_5a)
    before = items_of(plan)

    response = client_for("teacher").post(
        plan_url(world, "plan_item_add"), {"topic": "Тема", "hours": "0", "kind": "ordinary"}
    )

    assert response.status_code == 400
    assert "Hours must be a positive whole number." in response.content.decode()
    assert items_of(plan) == before


def test_row_edit_form_comes_as_a_table_row_for_htmx_and_as_a_page_otherwise(
    world: World, client_for: Callable[[str], Client]
) -> None:
    plan = make_plan(world.math_5a)
    item = plan.items.get(order=1)
    client = client_for("teacher")
    url = plan_url(world, "plan_item_edit", item_id=item.pk)

    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    page = client.get(url).content.decode()

    assert fragment.lstrip().startswith("<tr") and "<html" not in fragment
    assert "<html" in page and 'value="Натуральные числа"' in page


def test_an_item_of_another_plan_is_not_found_through_this_course(
    world: World, client_for: Callable[[str], Client]
) -> None:
    make_plan(world.math_5a)
    foreign_item = make_plan(world.russian_6b).items.get(order=1)

    response = client_for("teacher").post(plan_url(world, "plan_item_delete", item_id=foreign_item.pk))

    assert response.status_code == 404
    assert m.PlanItem.objects.filter(pk=foreign_item.pk).exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("other_teacher", 404),
        ("foreign_teacher", 404),
        ("class_teacher", 403),
        ("deputy", 403),
        ("administrator", 403),
        ("director", 403),
        ("parent", 403),
        ("student", 403),
    ],
)
def test_nobody_but_the_teacher_changes_a_courses_own_plan(
    world: World, client_for: Callable[[str], Client], persona: str, expected: int
) -> None:
    plan = make_plan(world.math_5a)
    item = plan.items.get(order=1)
    before = items_of(plan)
    client = client_for(persona)
    posts = [
        (plan_url(world, "plan_item_add"), {"topic": "Чужая тема", "hours": "1", "kind": "ordinary"}),
        (plan_url(world, "plan_item_edit", item_id=item.pk), {"topic": "Чужая", "hours": "1", "kind": "ordinary"}),
        (plan_url(world, "plan_item_delete", item_id=item.pk), {}),
        (plan_url(world, "plan_item_move", item_id=item.pk), {"direction": "down"}),
        (plan_url(world, "plan_copy"), {"source": plan.pk}),
        (plan_url(world, "plan_create"), {"scope": "course"}),
        (plan_url(world, "plan_import_confirm"), {"token": "x"}),
    ]

    statuses = {url: client.post(url, data).status_code for url, data in posts}

    assert set(statuses.values()) == {expected}, statuses
    assert items_of(plan) == before
    assert m.ThematicPlan.objects.count() == 1


def test_a_shared_plan_is_edited_by_every_teacher_of_the_subject_in_the_grade_and_the_deputy(
    world: World, client_for: Callable[[str], Client]
) -> None:
    colleague = UserFactory(username="colleague", roles=(Role.TEACHER,), school=world.school)
    math_5b = _math_5b(world, teacher=colleague)
    plan = make_plan(shared=world.math_5a)
    colleague_client = Client()
    colleague_client.force_login(colleague)
    row = {"hours": "1", "kind": "ordinary"}

    # The colleague edits it through their own course, the deputy through any.
    assert (
        colleague_client.post(plan_url(world, "plan_item_add", course=math_5b), {**row, "topic": "От 5Б"}).status_code
        == 302
    )
    assert client_for("teacher").post(plan_url(world, "plan_item_add"), {**row, "topic": "От 5А"}).status_code == 302
    assert client_for("deputy").post(plan_url(world, "plan_item_add"), {**row, "topic": "От завуча"}).status_code == 302
    assert client_for("other_teacher").post(plan_url(world, "plan_item_add"), {**row, "topic": "x"}).status_code == 404
    assert client_for("class_teacher").post(plan_url(world, "plan_item_add"), {**row, "topic": "x"}).status_code == 403

    assert [t for _, t, _, _ in items_of(plan)][-3:] == ["От 5Б", "От 5А", "От завуча"]


def test_teacher_of_a_course_on_a_shared_plan_may_make_an_own_plan_from_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    shared = make_plan(shared=world.math_5a)
    client = client_for("teacher")

    client.post(plan_url(world, "plan_create"), {"scope": "course"})
    own = m.ThematicPlan.objects.get(course=world.math_5a)
    client.post(plan_url(world, "plan_copy"), {"source": shared.pk})

    assert [r[1:] for r in items_of(own)] == [r[1:] for r in items_of(shared)]
    assert client.get(plan_url(world)).context["plan"] == own


def test_deputy_creates_the_shared_plan_of_a_grade(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("deputy").post(plan_url(world, "plan_create"), {"scope": "shared"})

    assert response.status_code == 302
    plan = m.ThematicPlan.objects.get()
    assert (plan.course, plan.grade, plan.subject) == (None, 5, world.math_5a.subject)


def test_copy_from_a_plan_the_teacher_cannot_see_is_refused(world: World, client_for: Callable[[str], Client]) -> None:
    plan = make_plan(world.math_5a)
    before = items_of(plan)
    hidden = make_plan(_math_5b(world), rows=[("Чужой план", 5, "ordinary")])

    response = client_for("teacher").post(plan_url(world, "plan_copy"), {"source": hidden.pk})

    assert response.status_code == 302
    assert items_of(plan) == before


def test_plan_page_is_read_only_for_the_class_teacher(world: World, client_for: Callable[[str], Client]) -> None:
    make_plan(world.math_5a)

    response = client_for("class_teacher").get(plan_url(world))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Натуральные числа" in content
    assert 'data-testid="item-add-form"' not in content
    assert 'data-testid="import-link"' not in content


def test_course_page_links_to_plan_progress_and_lessons(world: World, client_for: Callable[[str], Client]) -> None:
    content = client_for("teacher").get(reverse("journal:course_detail", args=[world.math_5a.pk])).content.decode()

    for name in ("plan_detail", "plan_progress", "course_lessons"):
        assert plan_url(world, name) in content


def test_progress_page_shows_how_far_behind_the_course_is(world: World, client_for: Callable[[str], Client]) -> None:
    make_plan(world.math_5a)
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in (10, 9, 8, 7)]
    lessons = make_lessons(world.math_5a, days)
    lesson_hold(actor=None, lesson=lessons[0])

    response = client_for("teacher").get(plan_url(world, "plan_progress"))

    assert response.status_code == 200
    progress = response.context["progress"]
    assert (progress.planned_by_day, progress.taught, progress.behind) == (4, 1, 3)
    assert "3 lessons behind the plan." in response.content.decode()


def test_plan_export_is_the_template_filled_with_the_rows(world: World, client_for: Callable[[str], Client]) -> None:
    import io

    from openpyxl import load_workbook

    make_plan(world.math_5a)

    response = client_for("class_teacher").get(plan_url(world, "plan_export"))

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet["B"]][1:] == ["Натуральные числа", "Контрольная работа № 1", "Дроби"]


# --- Query budgets ----------------------------------------------------------------------------

# Every authenticated page starts with the same four queries: session, user, school, roles.
BUDGETS = {
    # 5 the course (access layer) · 6 the plan it follows (own or shared) · 7 does the user teach it ·
    # 8 do they teach the subject in the grade (shared plan rights) · 9 the rows · 10 the curriculum line ·
    # 11 the last period end (calendar) · 12 holidays · 13 lesson count · 14 last year ·
    # 15 are there plans to copy · 16 the plans to copy, with their hours
    "plan_detail": 16,
    # 5 the course · 6 the plan · 7 the rows · 8 the lessons of the year
    "plan_progress": 8,
    # 5 the course · 6 its lessons with teacher, room and plan item
    "course_lessons": 6,
}
# 5 current year · 6 courses with lesson counts · 7 plans with hours · 8 curriculum lines ·
# 9 the courses the user teaches · 10 the school (calendar) · 11 holidays
PLAN_LIST_BUDGET = 12

_serial = count()


def _grow_plan(world: World, n: int) -> None:
    """``n`` more rows of the plan, lessons (some held), copy sources and courses of the school."""
    plan = world.math_5a.own_plan
    start = plan.items.count()
    m.PlanItem.objects.bulk_create(
        [m.PlanItem(plan=plan, order=start + i + 1, topic=f"Тема {start + i}", hours=1 + i % 3) for i in range(n)]
    )
    last = m.Lesson.objects.filter(course=world.math_5a).order_by("-date").values_list("date", flat=True).first()
    days = weekdays(n, (last or YEAR_START) + datetime.timedelta(days=1))
    for lesson in make_lessons(world.math_5a, days)[: n // 2]:
        lesson_hold(actor=None, lesson=lesson)
    for _ in range(n):
        i = next(_serial)
        class_group = ClassGroupFactory(year=world.year, grade=5, letter=f"П{i}")
        course = m.Course.objects.create(class_group=class_group, subject=world.math_5a.subject)
        make_plan(course, rows=[("Тема", 2, "ordinary")])
        teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=YEAR_START)


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("page", sorted(BUDGETS))
def test_course_pages_run_a_constant_number_of_queries(
    world: World, client_for: Callable[[str], Client], page: str
) -> None:
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=5)
    make_plan(world.math_5a)
    client = client_for("teacher")
    url = plan_url(world, page)

    _grow_plan(world, 3)
    small = _queries(client, url)
    _grow_plan(world, 12)
    large = _queries(client, url)

    assert len(large) == len(small), "\n".join(large)
    assert len(large) <= BUDGETS[page], "\n".join(large)


def test_plan_list_runs_a_constant_number_of_queries(world: World, client_for: Callable[[str], Client]) -> None:
    # 5 current year · 6 courses with lesson counts · 7 plans with hours · 8 curriculum ·
    # 9 taught courses · 10 last period end (calendar) · 11 school (calendar) · 12 holidays
    make_plan(world.math_5a)
    client = client_for("teacher")
    url = reverse("journal:plan_list")

    _grow_plan(world, 3)
    small = _queries(client, url)
    _grow_plan(world, 12)
    large = _queries(client, url)

    assert len(large) == len(small), "\n".join(large)
    assert len(large) <= PLAN_LIST_BUDGET, "\n".join(large)
    assert len(client.get(url).context["rows"]) == 1 + 15
