"""The demo server holds a neighbouring school (a municipality's): the demo's administrator teaches
informatics in «Школа № 7» and is only a teacher there (a role is held in the school it was given in)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from demo.neighbour import NEIGHBOUR_NAME
from journal import models as m
from tests.journal.seeded_demo.support import Demo

# One worker runs the package's tests: the demo is seeded once (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("seeded_demo")


def test_the_administrator_is_a_teacher_of_informatics_in_the_neighbouring_school(demo: Demo, db) -> None:
    admin = User.objects.get(username="admin")
    seven = m.School.objects.get(name=NEIGHBOUR_NAME)
    assert admin.roles_in(demo.school.pk) == {Role.ADMINISTRATOR}
    assert admin.roles_in(seven.pk) == {Role.TEACHER}
    course = m.Course.objects.get(class_group__year__school=seven, assignments__teacher=admin)
    assert (course.subject.name, str(course.class_group)) == ("Информатика", "10А")
    assert m.Enrolment.objects.filter(class_group=course.class_group).count() == 12
    assert "в «Школа № 7» учитель" in demo.output  # the login table says so

    client = Client()
    client.force_login(admin)
    assert client.get(reverse("journal:accounts")).status_code == 200
    page = client.post(reverse("journal:school_switch"), {"school": seven.pk}, follow=True).content.decode()
    assert re.search(r'data-testid="nav-roles">Учитель<', page)
    assert client.get(reverse("journal:accounts")).status_code == 403
    assert client.get(reverse("journal:course_journal", args=[course.pk])).status_code == 200
