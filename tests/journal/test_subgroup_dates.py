"""Dated subgroup memberships (§4.1): a move to the other group and a transfer to another class keep the
history; the group's journal, the diary, the figures and the cell service all read the days."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from diary.selectors.week import student_weeks
from journal import models as m
from journal.selectors.class_facts import class_facts, counted_students
from journal.selectors.membership import attends_between, course_roster
from journal.services.marks import mark_set
from journal.services.structure import student_transfer, teaching_assignment_create
from journal.services.subgroups import subgroup_move
from tests.conftest import World
from tests.factories import YEAR_END, YEAR_START, CourseFactory, SubjectFactory

START, END = datetime.date(2026, 11, 9), datetime.date(2026, 12, 27)
MOVED = datetime.date(2026, 11, 30)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def english(world: World) -> dict[str, m.Course]:
    """English in two groups in 5А and in 6Б (the same names), every group taught by the teacher; the child
    and the other child in 5А's group 1."""
    m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=2, start=START, end=END)
    subject = SubjectFactory(school=world.school, name="Английский язык")
    courses = {}
    for class_group in (world.class_5a, world.class_6b):
        for name in ("Группа 1", "Группа 2"):
            group = m.Subgroup.objects.create(class_group=class_group, subject=subject, name=name)
            course = CourseFactory(class_group=class_group, subject=subject, subgroup=group)
            teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=YEAR_START)
            courses[f"{class_group.name} {name}"] = course
    courses["5А Группа 1"].subgroup.members.add(world.child)
    return courses


def _spans(course: m.Course, student: m.Student) -> list[tuple[datetime.date, datetime.date | None]]:
    entry = next((e for e in course_roster(course, YEAR_START, YEAR_END) if e.student.pk == student.pk), None)
    return entry.spans if entry else []


def test_a_move_to_the_other_group_ends_the_old_membership_the_day_before(
    world: World, english: dict[str, m.Course]
) -> None:
    one, two = english["5А Группа 1"], english["5А Группа 2"]
    subgroup_move(actor=None, student=world.child, subgroup=two.subgroup, on=MOVED)

    assert _spans(one, world.child) == [(YEAR_START, MOVED - DAY)]
    assert _spans(two, world.child) == [(MOVED, None)]
    assert attends_between(one, world.child, START, MOVED - DAY)
    assert not attends_between(one, world.child, MOVED, END)
    # The cell service reads the same days: group 1 takes a mark before the move, not after.
    before = m.Lesson.objects.create(course=one, date=MOVED - 3 * DAY, slot=1, status="held")
    after = m.Lesson.objects.create(course=one, date=MOVED + DAY, slot=1, status="held")
    teacher = world.users["teacher"]
    mark_set(actor=teacher, lesson=before, student=world.child, value="4")
    with pytest.raises(ValidationError):
        mark_set(actor=teacher, lesson=after, student=world.child, value="5")
    # Moving again to the group they are in changes nothing.
    subgroup_move(actor=None, student=world.child, subgroup=two.subgroup, on=MOVED + 7 * DAY)
    assert _spans(two, world.child) == [(MOVED, None)]


def test_a_transfer_takes_the_group_of_the_same_name_and_the_diary_follows_the_days(
    world: World, english: dict[str, m.Course]
) -> None:
    old, new = english["5А Группа 1"], english["6Б Группа 1"]
    monday = MOVED - 7 * DAY  # the week before the transfer, and the week of it
    m.Lesson.objects.create(course=old, date=monday + DAY, slot=3, status="held")
    m.Lesson.objects.create(course=old, date=MOVED + DAY, slot=3, status="held")
    m.Lesson.objects.create(course=new, date=MOVED + 2 * DAY, slot=4, status="held")
    student_transfer(actor=None, student=world.child, to_class=world.class_6b, on=MOVED)

    assert _spans(old, world.child) == [(YEAR_START, MOVED - DAY)]
    assert _spans(new, world.child) == [(MOVED, None)]
    assert _spans(english["6Б Группа 2"], world.child) == []

    def diary_days(on: datetime.date) -> list[tuple[datetime.date, int]]:
        (week,) = student_weeks([world.child], on).values()
        return [(day.date, lesson.course_id) for day in week.days for lesson in day.lessons]

    assert diary_days(monday) == [(monday + DAY, old.pk)]
    assert diary_days(MOVED) == [(MOVED + 2 * DAY, new.pk)]  # 5А's group lesson after the move is not theirs

    subject = old.subject
    assert world.child.pk in counted_students(class_facts(world.class_6b, START, END), subject)
    assert world.child.pk not in counted_students(class_facts(world.class_5a, START, END), subject)


def test_a_transfer_to_a_class_without_the_groups_name_leaves_the_student_to_place(
    world: World, english: dict[str, m.Course], client_for: Callable[[str], Client]
) -> None:
    m.Subgroup.objects.filter(class_group=world.class_6b, name="Группа 1").update(name="Продвинутая")
    student_transfer(actor=None, student=world.child, to_class=world.class_6b, on=MOVED)
    m.ClassGroup.objects.filter(pk=world.class_6b.pk).update(class_teacher=world.users["class_teacher"])

    client = client_for("deputy")
    url = reverse("journal:class_subgroups", args=[world.class_6b.pk]) + f"?on={MOVED}"
    page = client.get(url).content.decode()
    assert 'data-testid="unplaced"' in page and world.child.full_name in page.split('data-testid="unplaced"')[1]

    group = m.Subgroup.objects.get(class_group=world.class_6b, name="Продвинутая")
    response = client.post(
        reverse("journal:class_subgroups", args=[world.class_6b.pk]),
        {"student": world.child.pk, "subgroup": group.pk, "on": MOVED.isoformat()},
    )
    assert response.status_code == 302
    assert _spans(english["6Б Группа 1"], world.child) == [(MOVED, None)]  # the course of «Продвинутая»
    page = client.get(url).content.decode()
    assert world.child.full_name not in page.split('data-testid="unplaced"')[1].split("</p>")[0]


def test_the_subgroups_page_refuses_a_day_outside_the_class_and_another_classs_group(
    world: World, english: dict[str, m.Course], client_for: Callable[[str], Client]
) -> None:
    client = client_for("class_teacher")  # leads 5А
    url = reverse("journal:class_subgroups", args=[world.class_5a.pk])
    two = english["5А Группа 2"].subgroup
    foreign = english["6Б Группа 2"].subgroup
    response = client.post(url, {"student": world.child.pk, "subgroup": foreign.pk, "on": MOVED.isoformat()})
    assert response.status_code == 400 and "Выберите" in response.content.decode()
    response = client.post(url, {"student": world.child.pk, "subgroup": two.pk, "on": "2030-01-01"})
    assert response.status_code == 400 and "вне учебного года" in response.content.decode()
    assert _spans(english["5А Группа 1"], world.child) == [(YEAR_START, None)]  # nothing half-written
