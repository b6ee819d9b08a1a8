"""Granting and revoking access through the services, and the drift check.

The services that create or end a domain relation (teaching assignment,
class-teacher post, parent link, student login) grant or revoke the matching
object permission in the same transaction: the next request sees the change.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.roles import Role
from journal import models as m
from journal.permissions import permission_drift
from journal.services.structure import (
    class_teacher_set,
    parent_link_end,
    student_login_attach,
    teaching_assignment_create,
    teaching_assignment_end,
)
from tests.conftest import World
from tests.factories import YEAR_START, UserFactory


def _course_url(course: m.Course) -> str:
    return reverse("journal:course_detail", args=[course.pk])


def _class_url(class_group: m.ClassGroup) -> str:
    return reverse("journal:class_detail", args=[class_group.pk])


def _student_url(student: m.Student) -> str:
    return reverse("journal:student_detail", args=[student.pk])


# --- Teaching assignments ------------------------------------------------------------


def test_ending_teaching_assignment_removes_course_access_on_next_request(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")
    url = _course_url(world.math_5a)
    assert client.get(url).status_code == 200
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()
    assignment = m.TeachingAssignment.objects.get(course=world.math_5a, teacher=world.users["teacher"])

    teaching_assignment_end(actor=world.users["administrator"], assignment=assignment)

    assert client.get(url).status_code == 404
    assert f'href="{url}"' not in client.get(reverse("home")).content.decode()
    assert f'href="{url}"' not in client.get(reverse("journal:course_list")).content.decode()
    assert client.get(_class_url(world.class_5a)).status_code == 404


def test_new_teaching_assignment_grants_course_access_on_next_request(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("other_teacher")
    url = _course_url(world.math_5a)
    assert client.get(url).status_code == 404

    teaching_assignment_create(
        actor=world.users["administrator"],
        course=world.math_5a,
        teacher=world.users["other_teacher"],
        date_from=YEAR_START,
    )

    response = client.get(url)
    assert response.status_code == 200
    assert 'data-testid="can-edit"' in response.content.decode()
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()
    assert client.get(_class_url(world.class_5a)).status_code == 200


@pytest.mark.dated
def test_teaching_assignment_starting_tomorrow_gives_no_access_today(
    world: World, client_for: Callable[[str], Client]
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    teaching_assignment_create(
        actor=None, course=world.math_5a, teacher=world.users["other_teacher"], date_from=tomorrow
    )

    assert client_for("other_teacher").get(_course_url(world.math_5a)).status_code == 404


def test_ending_one_of_two_assignments_keeps_the_other_teachers_access(
    world: World, client_for: Callable[[str], Client]
) -> None:
    teaching_assignment_create(
        actor=None, course=world.math_5a, teacher=world.users["other_teacher"], date_from=YEAR_START
    )
    assignment = m.TeachingAssignment.objects.get(course=world.math_5a, teacher=world.users["teacher"])

    teaching_assignment_end(actor=None, assignment=assignment)

    assert client_for("teacher").get(_course_url(world.math_5a)).status_code == 404
    assert client_for("other_teacher").get(_course_url(world.math_5a)).status_code == 200


# --- Parent links --------------------------------------------------------------------


def test_ending_parent_link_removes_parent_access_to_childs_card(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("parent")
    url = _student_url(world.child)
    assert client.get(url).status_code == 200
    link = m.ParentLink.objects.get(parent=world.users["parent"], student=world.child)

    parent_link_end(actor=world.users["administrator"], link=link)

    assert client.get(url).status_code == 404
    assert f'href="{url}"' not in client.get(reverse("home")).content.decode()
    # The child's own login is not a parent link: it keeps its access.
    assert client_for("student").get(url).status_code == 200


# --- Class teachers --------------------------------------------------------------------


def test_class_teacher_change_moves_access_to_the_new_class_teacher(
    world: World, client_for: Callable[[str], Client]
) -> None:
    old, new = client_for("class_teacher"), client_for("other_teacher")
    urls = [_class_url(world.class_5a), _student_url(world.child), _course_url(world.math_5a)]
    assert [old.get(url).status_code for url in urls] == [200, 200, 200]
    assert [new.get(url).status_code for url in urls] == [404, 404, 404]

    class_teacher_set(
        actor=world.users["administrator"], class_group=world.class_5a, teacher=world.users["other_teacher"]
    )

    assert [old.get(url).status_code for url in urls] == [404, 404, 404]
    assert [new.get(url).status_code for url in urls] == [200, 200, 200]
    # The new class teacher keeps their own course of 6Б.
    assert new.get(_course_url(world.russian_6b)).status_code == 200


def test_removing_class_teacher_removes_their_access(world: World, client_for: Callable[[str], Client]) -> None:
    class_teacher_set(actor=None, class_group=world.class_5a, teacher=None)

    client = client_for("class_teacher")
    assert client.get(_class_url(world.class_5a)).status_code == 404
    assert client.get(_student_url(world.child)).status_code == 404


# --- Student logins ----------------------------------------------------------------------


def test_student_login_attach_gives_access_to_own_card_only(world: World, client_for: Callable[[str], Client]) -> None:
    login = UserFactory(username="alisa", school=world.school, roles=(Role.STUDENT,))
    client = Client()
    client.force_login(login)

    student_login_attach(actor=world.users["administrator"], student=world.other_child, user=login)

    assert client.get(_student_url(world.other_child)).status_code == 200
    others = [world.child, world.student_6b, world.foreign_student]
    assert [client.get(_student_url(s)).status_code for s in others] == [404, 404, 404]
    assert client.get(reverse("journal:course_list")).status_code == 403


def test_student_login_replaced_takes_access_from_the_previous_login(
    world: World, client_for: Callable[[str], Client]
) -> None:
    new_login = UserFactory(username="artyom2", school=world.school, roles=(Role.STUDENT,))

    student_login_attach(actor=None, student=world.child, user=new_login)

    assert client_for("student").get(_student_url(world.child)).status_code == 404
    client = Client()
    client.force_login(new_login)
    assert client.get(_student_url(world.child)).status_code == 200


# --- manage.py check_permissions ---------------------------------------------------------


def _check_permissions(*args: str) -> str:
    out = StringIO()
    call_command("check_permissions", *args, stdout=out)
    return out.getvalue()


def test_check_permissions_reports_no_drift_for_rows_made_by_services(world: World) -> None:
    assert permission_drift() == (set(), set())
    assert "agree" in _check_permissions("--fail")


def test_check_permissions_reports_a_deleted_guardian_row_and_fix_restores_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    teacher = world.users["teacher"]
    m.CourseUserObjectPermission.objects.filter(
        user=teacher, content_object=world.math_5a, permission__codename="view_course"
    ).delete()
    client = client_for("teacher")
    assert client.get(_course_url(world.math_5a)).status_code == 404

    report = _check_permissions()

    assert f"missing: user {teacher.pk} view_course on Course {world.math_5a.pk}" in report
    assert "1 missing, 0 extra" in report
    with pytest.raises(CommandError):
        _check_permissions("--fail")

    fixed = _check_permissions("--fix")

    assert "Repaired 1" in fixed
    assert permission_drift() == (set(), set())
    assert client.get(_course_url(world.math_5a)).status_code == 200


def test_check_permissions_reports_a_row_no_domain_relation_explains_and_fix_removes_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    intruder = world.users["other_teacher"]
    assign_perm("view_student", intruder, world.child)
    client = client_for("other_teacher")
    assert client.get(_student_url(world.child)).status_code == 200  # the stray row does give access

    report = _check_permissions()

    assert f"extra:   user {intruder.pk} view_student on Student {world.child.pk}" in report
    assert "0 missing, 1 extra" in report

    _check_permissions("--fix")

    assert permission_drift() == (set(), set())
    assert client.get(_student_url(world.child)).status_code == 404


def test_check_permissions_sees_a_class_teacher_set_behind_the_services_back(world: World) -> None:
    # A raw update (a data migration, a shell session) bypasses class_teacher_set.
    m.ClassGroup.objects.filter(pk=world.class_6b.pk).update(class_teacher=world.users["other_teacher"])

    missing, extra = permission_drift()

    assert ("ClassGroup", world.users["other_teacher"].pk, world.class_6b.pk, "lead_classgroup") in missing
    assert extra == set()
