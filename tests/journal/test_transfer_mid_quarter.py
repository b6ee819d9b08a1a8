"""A transfer in the middle of a quarter (§4.3): the student is in both classes' journals only on their
dates, and each class's figures count the student only where they were."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from journal import models as m
from journal.selectors.class_facts import class_facts, counted_students, subject_summaries
from journal.services.marks import mark_set
from journal.services.structure import student_transfer, teaching_assignment_create
from tests.conftest import World
from tests.factories import YEAR_START, CourseFactory

START, END = datetime.date(2026, 11, 9), datetime.date(2026, 12, 27)
MOVED = datetime.date(2026, 11, 30)


def test_a_student_moved_mid_quarter_is_in_each_classs_journal_and_figures_on_their_own_days(
    world: World, client_for: Callable[[str], Client]
) -> None:
    m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=2, start=START, end=END)
    teacher = world.users["teacher"]
    math_6b = CourseFactory(class_group=world.class_6b, subject=world.math_5a.subject)
    teaching_assignment_create(actor=None, course=math_6b, teacher=teacher, date_from=YEAR_START)
    before = m.Lesson.objects.create(course=world.math_5a, date=datetime.date(2026, 11, 16), slot=1, status="held")
    after_5a = m.Lesson.objects.create(course=world.math_5a, date=datetime.date(2026, 12, 7), slot=1, status="held")
    after_6b = m.Lesson.objects.create(course=math_6b, date=datetime.date(2026, 12, 8), slot=1, status="held")
    mark_set(actor=teacher, lesson=before, student=world.child, value="2")
    student_transfer(
        actor=None, student=world.child, to_class=world.class_6b, on=MOVED, note="Приказ № 41 от 27.11.2026"
    )
    mark_set(actor=teacher, lesson=after_6b, student=world.child, value="5")

    client = client_for("teacher")

    def grid(course: m.Course) -> str:
        url = reverse("journal:course_journal", args=[course.pk]) + "?month=all"
        return client.get(url).content.decode()

    def cell(html: str, lesson: m.Lesson) -> str:
        row = html.split(f'data-s="{world.child.pk}"', 1)[1].split("</tr>", 1)[0]
        heads = html.split("<thead>", 1)[1].split("</thead>", 1)[0].split("<th")[1:]
        index = next(i for i, th in enumerate(heads) if f'data-l="{lesson.pk}"' in th)
        return row.split("<t")[index + 1]

    five_a, six_b = grid(world.math_5a), grid(math_6b)
    assert f'data-s="{world.child.pk}"' in five_a and f'data-s="{world.child.pk}"' in six_b
    assert "jg-out" in cell(five_a, after_5a)  # gone from 5А by then: the cell is closed
    assert "jg-out" not in cell(five_a, before) and ">2<" in cell(five_a, before) + "<"
    assert ">5<" in cell(six_b, after_6b) + "<"
    # 5А's figures count the child's «2» of 5А's days, 6Б's the «5» of 6Б's; only 6Б counts the child at the end.
    five_facts, six_facts = class_facts(world.class_5a, START, END), class_facts(world.class_6b, START, END)
    subject = world.math_5a.subject
    assert subject_summaries(five_facts)[(world.child.pk, subject.pk)].count == 1
    assert subject_summaries(six_facts)[(world.child.pk, subject.pk)].count == 1
    assert world.child.pk not in counted_students(five_facts, subject)
    assert world.child.pk in counted_students(six_facts, subject)
