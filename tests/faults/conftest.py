"""Shared by the fault tests: the printout tests' week of 5А (``week``, ``media``), and students whose parents
want every notification by e-mail."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from journal import models as m
from journal.services.structure import parent_link_create
from tests.conftest import World, _enrol, _user
from tests.factories import StudentFactory
from tests.reports.conftest import media, week  # noqa: F401 - fixtures shared with tests/reports


def families_with_email(world: World, count: int) -> list[m.Student]:
    """``count`` more students of 5А, «Ученик00»…, each with a parent ``parent00``… at
    ``parent00@example.org`` (every notification by e-mail). Nobody else of the school keeps an address,
    so the letters counted are the parents'."""
    students = []
    for n in range(count):
        student = _enrol(StudentFactory(school=world.school, last_name=f"Ученик{n:02}"), world.class_5a)
        parent = _user(f"parent{n:02}", world.school, Role.PARENT, email=f"parent{n:02}@example.org")
        parent_link_create(actor=None, parent=parent, student=student, consent_given=True)
        students.append(student)
    User.objects.exclude(username__startswith="parent").update(email="")
    return students
