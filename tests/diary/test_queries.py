"""Query budgets of the diary's week, subjects and subject pages: constant in the number of lessons and marks.

Each page is measured for the parent after filling the week with 2 courses × 2 lessons and then with
5 courses × 10 lessons, every lesson with two marks (with work types), an absence, homework with a file,
some substitutions, cancellations and moves, and events; an N+1 would make the second count larger.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import count

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diary.models import Event
from journal import models as m
from journal.services.homework import homework_file_add, homework_set
from journal.services.structure import teaching_assignment_create
from journal.services.substitutions import substitution_assign
from tests.conftest import World
from tests.diary.conftest import MONDAY, day, lesson, mark, quarter
from tests.factories import SubjectFactory

# Every authenticated page starts with the same four:
#   1. django_session, 2. accounts_user, 3. journal_school, 4. journal_membershiprole (the roles)
BUDGETS = {
    #  5. the user's diary students (access, and the child switcher): from the user's permission rows
    #  6. the enrolments of the week with their classes, 7. the student's subgroups
    #  8. the lessons of the week with subject, subgroup, room and homework; the substitute and the reason
    #     of the last cancel or move as subqueries (one query; the same read model as the paper printout's)
    #  9. the homework files of those lessons
    # 10. the student's marks of those lessons with work types, 11. the student's attendance on them
    # 12. the grading policy (attendance letters; asked only when the week has an absence)
    # 13. the slots of the classes' bells (lesson times; the school's first schedule without one)
    # 14. holidays of the week, 15. the week's events (school and class)
    # 16. is the user a parent of the child (active link), with their acknowledgement of the week
    # 17. the day of use with «opened the diary» (monitoring; the first diary page of the user's day only)
    "week": 17,
    #  5. the user's diary students (access and switcher), 6. the enrolments, 7. the grade's periods
    #  (the period kind as a subquery), 8. the courses of the period (with subject, subgroup, class)
    #  9. the marks of the period with lessons and work types
    # 10. the curriculum hours, 11. the period's final marks, 12. the grading policy
    "subjects": 12,
    #  5. the user's diary students (access and switcher), 6. the enrolments, 7. the grade's periods,
    #  8. the course, 9. the course's marks of the period with lessons and work types,
    # 10. the curriculum hours, 11. the grading policy, 12. the final marks of the course with their periods
    "subject": 12,
}

_serial = count()


def _fill(world: World, courses: int, lessons_per_course: int) -> m.Course:
    """``courses`` courses of 5А with ``lessons_per_course`` lessons each in the week of ``MONDAY``."""
    work_type = m.WorkType.objects.get_or_create(school=world.school, name="Ответ", defaults={"weight": 1})[0]
    teacher = world.users["teacher"]
    made = []
    for c in range(courses):
        subject = SubjectFactory(school=world.school, name=f"Предмет {next(_serial)}")
        course = m.Course.objects.create(class_group=world.class_5a, subject=subject)
        teaching_assignment_create(actor=None, course=course, teacher=teacher, date_from=world.year.start)
        made.append(course)
        for i in range(lessons_per_course):
            on = lesson(course, day(i % 5), 1 + c * 2 + i // 5, topic=f"Тема {i}", status="held")
            mark(world, on, world.child, "5", work_type=work_type)
            mark(world, on, world.child, "4", work_type=work_type, position=2)
            m.Attendance.objects.create(lesson=on, student=world.child, status="late", author=teacher)
            homework = homework_set(actor=teacher, lesson=on, text="§ 1")
            homework_file_add(actor=teacher, homework=homework, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"))
        spare = lesson(course, day(c % 5), 12)
        substitution_assign(
            actor=world.users["deputy"], lesson=spare, substitute=world.users["other_teacher"], reason="Болезнь"
        )
        lesson(course, day(4), 11, status="cancelled")
        lesson(course, day(3), 0, origin_date=day(2), origin_slot=0)
        Event.objects.create(school=world.school, class_group=world.class_5a, title=f"Событие {c}", date=day(c % 5))
    return made[0]


def _count(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _measure(world: World, client_for: Callable[[str], Client], courses: int, lessons: int) -> dict[str, int]:
    course = _fill(world, courses, lessons)
    period = m.StudyPeriod.objects.get(year=world.year, number=1)
    client = client_for("parent")
    student = {"student_id": world.child.pk}
    return {
        "week": _count(client, reverse("diary:week", kwargs=student), {"week": MONDAY.isoformat()}),
        "subjects": _count(client, reverse("diary:subjects", kwargs=student), {"period": str(period.pk)}),
        "subject": _count(
            client, reverse("diary:subject", kwargs={**student, "course_id": course.pk}), {"period": str(period.pk)}
        ),
    }


@pytest.mark.parametrize(("courses", "lessons"), [(2, 2), (5, 10)])
def test_diary_pages_have_constant_query_counts(
    world: World, client_for: Callable[[str], Client], bells: m.BellSchedule, courses: int, lessons: int
) -> None:
    quarter(world)

    assert _measure(world, client_for, courses, lessons) == BUDGETS


def _class_with_parents(world: World, students: int) -> None:
    """``students`` more students in 5А, each with a parent who acknowledged the week of ``MONDAY``."""
    from diary.models import WeekAcknowledgement
    from journal.services.structure import enrolment_create, membership_ensure, parent_link_create
    from tests.factories import YEAR_START, StudentFactory, UserFactory

    for _ in range(students):
        n = next(_serial)
        student = StudentFactory(school=world.school, last_name=f"Ученик{n}")
        enrolment_create(actor=None, student=student, class_group=world.class_5a, date_from=YEAR_START)
        parent = UserFactory(username=f"p{n}")
        membership_ensure(user=parent, school=world.school)
        parent_link_create(actor=None, parent=parent, student=student, relation="mother", consent_given=True)
        WeekAcknowledgement.objects.create(
            parent=parent, student=student, week_start=MONDAY, acknowledged_at=datetime.datetime.now(datetime.UTC)
        )


@pytest.mark.parametrize("students", [3, 15])
def test_acknowledgements_page_has_a_constant_query_count(
    world: World, client_for: Callable[[str], Client], students: int
) -> None:
    # 4 common + 5. the class (access), 6. does the user lead it, 7. the week's enrolments with students,
    # 8. their acknowledgements of the week, 9. their active parent links with the parents
    _class_with_parents(world, students)

    count = _count(
        client_for("class_teacher"),
        reverse("diary:acknowledgements", kwargs={"class_id": world.class_5a.pk}),
        {"week": MONDAY.isoformat()},
    )

    assert count == 9
