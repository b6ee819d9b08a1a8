"""Query budgets of the week views: constant whether the week holds 3 entries or 15.

Each step adds, in a new cell of the week: a course of a new class taught by
``teacher`` in room «R» (the teacher's and the room's week grow), and a
subgroup course of 5А with its own teacher and room (the class's week grows).
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
from journal.services.structure import teaching_assignment_create
from journal.services.timetable import timetable_entry_create
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, SubjectFactory, UserFactory

ON = "2026-11-16"

# Every authenticated page starts with the same four:
#   1. django_session              the session
#   2. accounts_user               request.user
#   3. journal_school              request.school
#   4. journal_membershiprole      the user's roles in each school
BUDGETS = {
    # 5. the class with its year (access layer)
    # 6. the school's bell schedules        7. their slots (prefetch)
    # 8. the class's entries valid on the day, with course, class, subject, subgroup and room (one JOIN)
    # 9. the assignments open on the day with their teachers (prefetch)
    "timetable_class": 9,
    # 5. the teacher among the school's teachers (access layer)
    # 6. the current year (the day is moved into it)
    # 7. bell schedules                     8. their slots
    # 9. the entries of courses the teacher has on the day (EXISTS), with course, class, subject, subgroup, room
    # 10. the open assignments with their teachers
    "timetable_teacher": 10,
    # 5. the room of the school (access layer)
    # 6. the current year
    # 7. bell schedules                     8. their slots
    # 9. the room's entries valid on the day, with everything a cell prints
    # 10. the open assignments with their teachers
    "timetable_room": 10,
}

_serial = count()


def _teacher(world: World) -> object:
    teacher = UserFactory(username=f"tt{next(_serial)}", roles=(Role.TEACHER,), school=world.school)
    return teacher


def _grow(world: World, cells: range, shared_room: m.Room) -> None:
    for cell in cells:
        weekday, slot = cell // 7 + 1, cell % 7 + 1
        i = next(_serial)
        class_group = ClassGroupFactory(year=world.year, grade=7 + i % 5, letter=f"Q{i}")
        subject = SubjectFactory(school=world.school, name=f"Предмет {i}")
        course = m.Course.objects.create(class_group=class_group, subject=subject)
        teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=YEAR_START)
        timetable_entry_create(actor=None, course=course, weekday=weekday, slot=slot, room=shared_room)

        subgroup = m.Subgroup.objects.create(class_group=world.class_5a, subject=subject, name=f"группа {i}")
        split = m.Course.objects.create(class_group=world.class_5a, subject=subject, subgroup=subgroup)
        teaching_assignment_create(actor=None, course=split, teacher=_teacher(world), date_from=YEAR_START)
        room = m.Room.objects.create(school=world.school, name=f"к{i}")
        timetable_entry_create(actor=None, course=split, weekday=weekday, slot=slot, room=room)


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"on": ON})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("name", "persona"), [*((n, "deputy") for n in BUDGETS), ("timetable_teacher", "teacher")])
def test_week_views_cost_the_same_with_few_and_many_entries(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client], name: str, persona: str
) -> None:
    room = m.Room.objects.create(school=world.school, name="R")
    args = {
        "timetable_class": world.class_5a.pk,
        "timetable_teacher": world.users["teacher"].pk,
        "timetable_room": room.pk,
    }[name]
    url = reverse(f"journal:{name}", args=[args])
    client = client_for(persona)

    _grow(world, range(0, 3), room)
    few = _count(client, url)
    _grow(world, range(3, 15), room)
    many = _count(client, url)

    response = client.get(url, {"on": ON})
    assert response.context["grid"].entry_count == 15
    assert few == many == BUDGETS[name]
