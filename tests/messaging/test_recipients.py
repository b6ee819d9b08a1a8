"""Who may write to whom (§2.10): inside the school, only where roles connect people."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.roles import Role
from journal.services.structure import parent_link_create, teaching_assignment_create
from messaging.selectors.recipients import allowed_recipients, can_write_to, recipient_groups
from messaging.services.threads import thread_create
from tests.conftest import World
from tests.factories import YEAR_START, CourseFactory, SubjectFactory, UserFactory


def _allowed(world: World, persona: str) -> set[str]:
    return set(allowed_recipients(world.users[persona], world.school).values_list("username", flat=True))


ADMINISTRATION = {"administrator", "deputy", "director"}
TEACHERS = {"teacher", "other_teacher", "class_teacher"}


def test_parent_writes_to_their_childs_teachers_class_teacher_and_the_administration(world: World) -> None:
    assert _allowed(world, "parent") == {"teacher", "class_teacher"} | ADMINISTRATION


def test_parent_cannot_write_to_another_parent_nor_to_a_teacher_of_another_class(world: World) -> None:
    parent = world.users["parent"]

    assert not can_write_to(parent, world.school, world.users["other_parent"])
    assert not can_write_to(parent, world.school, world.users["other_teacher"])  # teaches 6Б only
    assert not can_write_to(parent, world.school, world.users["student"])


def test_student_writes_to_own_teachers_class_teacher_and_administration_never_to_students_or_parents(
    world: World,
) -> None:
    other_login = UserFactory(username="alisa", roles=(Role.STUDENT,), school=world.school)
    from journal.services.structure import student_login_attach

    student_login_attach(actor=None, student=world.other_child, user=other_login)

    allowed = _allowed(world, "student")

    assert allowed == {"teacher", "class_teacher"} | ADMINISTRATION
    assert "alisa" not in allowed
    assert "parent" not in allowed


def test_teacher_writes_to_parents_and_students_of_taught_classes_colleagues_and_administration(
    world: World,
) -> None:
    allowed = _allowed(world, "teacher")

    assert allowed == {"parent", "other_parent", "student", "other_teacher", "class_teacher"} | ADMINISTRATION
    assert "foreign_teacher" not in allowed


def test_class_teacher_reaches_the_parents_of_the_class_they_lead_without_teaching_it(world: World) -> None:
    assert {"parent", "other_parent", "student"} <= _allowed(world, "class_teacher")


def test_other_teacher_does_not_reach_the_parents_of_a_class_they_do_not_teach(world: World) -> None:
    allowed = _allowed(world, "other_teacher")

    assert "parent" not in allowed
    assert "other_parent" not in allowed
    assert TEACHERS - {"other_teacher"} <= allowed


def test_administration_writes_to_anyone_of_the_school_and_nobody_of_another(world: World) -> None:
    allowed = _allowed(world, "deputy")

    assert {"parent", "other_parent", "student", "teacher"} <= allowed
    assert "deputy" not in allowed
    assert not {"foreign_teacher", "foreign_admin"} & allowed


def test_nobody_reaches_another_schools_people(world: World) -> None:
    for persona in ("parent", "teacher", "student", "administrator"):
        assert not can_write_to(world.users[persona], world.school, world.users["foreign_teacher"])
    assert not can_write_to(world.users["foreign_teacher"], world.foreign_school, world.users["parent"])


def test_an_ended_parent_link_ends_the_right_to_write_to_the_childs_teacher(world: World) -> None:
    from journal.services.structure import parent_link_end

    link = world.users["parent"].parent_links.get()
    parent_link_end(actor=None, link=link)

    assert not can_write_to(world.users["parent"], world.school, world.users["teacher"])


def test_subgroup_teacher_is_reached_only_by_parents_of_its_members(world: World) -> None:
    from journal import models as m

    english = SubjectFactory(school=world.school, name="Английский язык")
    group = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="1 группа")
    group.members.add(world.other_child)
    course = CourseFactory(class_group=world.class_5a, subject=english, subgroup=group)
    teacher = UserFactory(username="english", roles=(Role.TEACHER,), school=world.school)
    teaching_assignment_create(actor=None, course=course, teacher=teacher, date_from=YEAR_START)

    assert "english" in _allowed(world, "other_parent")
    assert "english" not in _allowed(world, "parent")


def test_a_parent_writes_to_the_teacher_of_the_group_the_child_is_in_today_not_of_the_group_left(
    world: World,
) -> None:
    """The membership's dates decide (the rule of journal.selectors.membership): moved to the 2nd English group
    today, the child's parent writes to its teacher, no longer to the 1st group's."""
    import datetime

    from django.utils import timezone

    from journal import models as m

    today = timezone.localdate()
    english = SubjectFactory(school=world.school, name="Английский язык")
    first = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="1 группа")
    second = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="2 группа")
    m.SubgroupMembership.objects.create(
        subgroup=first, student=world.other_child, date_to=today - datetime.timedelta(days=1)
    )
    m.SubgroupMembership.objects.create(subgroup=second, student=world.other_child, date_from=today)
    for group, login in ((first, "english1"), (second, "english2")):
        course = CourseFactory(class_group=world.class_5a, subject=english, subgroup=group)
        teacher = UserFactory(username=login, roles=(Role.TEACHER,), school=world.school)
        teaching_assignment_create(actor=None, course=course, teacher=teacher, date_from=YEAR_START)

    allowed = _allowed(world, "other_parent")

    assert "english2" in allowed
    assert "english1" not in allowed


def test_the_service_refuses_a_recipient_the_roles_do_not_connect_in_russian(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        thread_create(
            actor=world.users["parent"],
            school=world.school,
            recipient=world.users["other_parent"],
            subject="Вопрос",
            text="Здравствуйте",
        )

    assert "не можете написать" in " ".join(exc.value.messages)


def test_student_cannot_start_a_thread_with_another_student(world: World) -> None:
    classmate = UserFactory(username="classmate", roles=(Role.STUDENT,), school=world.school)
    from journal.services.structure import student_login_attach

    student_login_attach(actor=None, student=world.other_child, user=classmate)

    with pytest.raises(ValidationError):
        thread_create(
            actor=world.users["student"], school=world.school, recipient=classmate, subject="Привет", text="Привет"
        )


def test_a_parent_cannot_write_about_another_child(world: World) -> None:
    with pytest.raises(ValidationError):
        thread_create(
            actor=world.users["parent"],
            school=world.school,
            recipient=world.users["teacher"],
            subject="Вопрос",
            text="Здравствуйте",
            about_student=world.other_child,
        )


def test_the_chooser_groups_the_class_teachers_parents_by_class(world: World) -> None:
    groups = {
        g.label: [c.label for c in g.choices] for g in recipient_groups(world.users["class_teacher"], world.school)
    }

    parents = next(labels for name, labels in groups.items() if "5А" in name and "одител" in name)
    assert len(parents) == 2
    assert any("Соколов Артём" in label for label in parents)
    assert any(name.startswith("Администрац") for name in groups)


def test_the_chooser_offers_exactly_the_allowed_people(world: World) -> None:
    user: User = world.users["teacher"]
    offered = {c.user.pk for g in recipient_groups(user, world.school) for c in g.choices}

    assert offered == set(allowed_recipients(user, world.school).values_list("pk", flat=True))


def test_a_second_parent_of_the_same_child_is_still_not_reachable_by_the_first(world: World) -> None:
    father = UserFactory(username="father", roles=(Role.PARENT,), school=world.school)
    parent_link_create(actor=None, parent=father, student=world.child, relation="father", consent_given=True)

    assert not can_write_to(world.users["parent"], world.school, father)
