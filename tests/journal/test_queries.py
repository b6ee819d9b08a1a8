"""Query budgets of the list and detail pages: constant in the number of rows.

Each page is measured for the deputy (who reads the whole school) after adding
3 and then 15 rows of everything it shows (classes with class teachers and
rooms, courses with teachers and subgroups, students, assignments); an N+1
would make the second count larger.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from journal import models as m
from journal.services.structure import (
    class_teacher_set,
    enrolment_create,
    teaching_assignment_create,
)
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, StudentFactory, SubjectFactory, UserFactory

# Every authenticated page starts with the same four:
#   1. django_session              the session (SessionMiddleware)
#   2. accounts_user               request.user (AuthenticationMiddleware)
#   3. journal_school              the user's schools, request.school among them (CurrentSchoolMiddleware)
#   4. journal_membershiprole      the user's roles in each school (User.roles, cached for the request)
BUDGETS = {
    # 5. how many courses (the pages), 6. the classes and 7. the teachers of the filter
    # 8. a page of the courses of the current year, with class, subject and subgroup (one JOIN)
    # 9. their open assignments with the teachers (prefetch)
    "course_list": 9,
    # 5. the year chosen (the current one without ?year=)
    # 6. the school's years for the picker
    # 7. the year's classes, with class teacher and home room (one JOIN)
    "class_list": 7,
    # 5. the class, with year, class teacher and home room (access layer)
    # 6. the roster: today's enrolments with the students
    # 7. the class's courses with subject and subgroup
    # 8. their open assignments with the teachers (prefetch)
    # 9. which of the roster's students the user may open (their names are links then)
    # 10. whether the user leads the class (asks for a movement of its students)
    # 11. the same for keeping its parents' contact data (a rule of its own)
    "class_detail": 11,
    # 5. the course, with class, year, subject and subgroup (access layer)
    # 6. can_edit: does the user teach it (EXISTS)
    # 7. all its assignments with the teachers
    # 8. the roster: today's enrolments with the students
    "course_detail": 8,
}

_serial = count()


def _teacher(world: World) -> object:
    teacher = UserFactory(username=f"t{next(_serial)}", roles=(Role.TEACHER,), school=world.school)
    return teacher


def _grow(world: World, n: int) -> None:
    """Add ``n`` of everything the four pages list."""
    for _ in range(n):
        i = next(_serial)
        # A class with its class teacher, home room and one taught course.
        room = m.Room.objects.create(school=world.school, name=f"к{i}")
        class_group = ClassGroupFactory(year=world.year, grade=7 + i % 5, letter=f"Л{i}", home_room=room)
        class_teacher_set(actor=None, class_group=class_group, teacher=_teacher(world))
        subject = SubjectFactory(school=world.school, name=f"Предмет {i}")
        course = m.Course.objects.create(class_group=class_group, subject=subject)
        teaching_assignment_create(actor=None, course=course, teacher=_teacher(world), date_from=YEAR_START)
        # A course of 5А in a subgroup, with its teacher.
        subgroup = m.Subgroup.objects.create(class_group=world.class_5a, subject=subject, name=f"группа {i}")
        course_5a = m.Course.objects.create(class_group=world.class_5a, subject=subject, subgroup=subgroup)
        teaching_assignment_create(actor=None, course=course_5a, teacher=_teacher(world), date_from=YEAR_START)
        # A student of 5А, and one more teacher of 5А mathematics.
        student = StudentFactory(school=world.school, last_name=f"Ученик{i}")
        enrolment_create(actor=None, student=student, class_group=world.class_5a, date_from=YEAR_START)
        teaching_assignment_create(actor=None, course=world.math_5a, teacher=_teacher(world), date_from=YEAR_START)


def _url(world: World, page: str) -> str:
    if page == "class_detail":
        return reverse("journal:class_detail", args=[world.class_5a.pk])
    if page == "course_detail":
        return reverse("journal:course_detail", args=[world.math_5a.pk])
    return reverse(f"journal:{page}")


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("page", sorted(BUDGETS))
def test_page_runs_constant_number_of_queries_for_deputy(
    world: World, client_for: Callable[[str], Client], page: str
) -> None:
    client = client_for("deputy")
    url = _url(world, page)

    _grow(world, 3)
    small = _queries(client, url)
    _grow(world, 12)
    large = _queries(client, url)

    assert len(large) == len(small), "\n".join(large)
    assert len(large) <= BUDGETS[page], "\n".join(large)


def test_grown_pages_do_show_the_added_rows(world: World, client_for: Callable[[str], Client]) -> None:
    # The budgets above mean something only if the rows are on the pages.
    _grow(world, 15)
    client = client_for("deputy")

    assert len(client.get(_url(world, "course_list")).context["courses"]) == 2 + 2 * 15
    assert len(client.get(_url(world, "class_list")).context["classes"]) == 2 + 15
    class_page = client.get(_url(world, "class_detail")).context
    assert len(class_page["roster"]) == 2 + 15
    assert len(class_page["courses"]) == 1 + 15
    course_page = client.get(_url(world, "course_detail")).context
    assert len(course_page["assignments"]) == 1 + 15
    assert len(course_page["roster"]) == 2 + 15


def test_the_course_list_is_filtered_by_class_and_teacher_and_paged(
    world: World, client_for: Callable[[str], Client]
) -> None:
    from journal.views.structure import COURSES_PER_PAGE

    _grow(world, 40)
    client = client_for("deputy")
    url = reverse("journal:course_list")

    first = client.get(url).context
    assert len(first["courses"]) == COURSES_PER_PAGE and first["page"].paginator.num_pages == 2
    assert len(client.get(url, {"page": 2}).context["courses"]) == 2 + 2 * 40 - COURSES_PER_PAGE
    only_5a = client.get(url, {"class_group": world.class_5a.pk}).context["courses"]
    assert {course.class_group for course in only_5a} == {world.class_5a}
    teacher = world.users["other_teacher"]
    assert [course.pk for course in client.get(url, {"teacher": teacher.pk}).context["courses"]] == [
        world.russian_6b.pk
    ]
    # A value not offered is a form error, not a 500: the whole list is shown.
    assert client.get(url, {"class_group": "nonsense"}).status_code == 200
