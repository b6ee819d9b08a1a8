"""The printout builder reads a class's week in a fixed number of queries, however many students and lessons.

Measured with 2 flagged students and 2 courses, then 14 students and 6 courses (with a subgroup course),
every lesson of the week with homework, marks with work types and some absences: an N+1 over students,
lessons, marks or subjects would make the second count larger.
"""

from __future__ import annotations

import datetime
from itertools import count

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from journal import models as m
from journal.services.structure import enrolment_create, parent_link_create
from reports.selectors.weekly_printout import weekly_printout
from tests.factories import YEAR_START, CourseFactory, StudentFactory, SubjectFactory, UserFactory
from tests.reports.conftest import MONDAY, Week, day, mark

# 1. the class, with year, school and class teacher
# 2. the printout students (flagged active link, enrolled in the week)
# 3. the period the week lies in (the grade's period kind as a subquery)
# 4. the policies in force on Monday (attendance letters) and at the period's start (the averages)
# The week, read as the diary reads it (diary.selectors.week.student_weeks):
# 5. the students' enrolments of the week, 6. their subgroup memberships
# 7. the week's lessons with subject and homework, 8. the homework files
# 9. the week's marks with work types, 10. the week's attendance
# 11. the period's marks so far of the students' courses (value, weight), as the grid counts them
BUDGET = 11

_serial = count()


def _grow(week: Week, students: int, courses: int) -> None:
    world = week.world
    teacher = world.users["teacher"]
    new_courses = [
        CourseFactory(
            class_group=world.class_5a, subject=SubjectFactory(school=world.school, name=f"Предмет {next(_serial)}")
        )
        for n in range(courses)
    ]
    new_students = []
    for _ in range(students):
        student = StudentFactory(school=world.school, last_name=f"Ученик{next(_serial)}")
        enrolment_create(actor=None, student=student, class_group=world.class_5a, date_from=YEAR_START)
        parent = UserFactory(username=f"p{next(_serial)}", roles=(Role.PARENT,), school=world.school)
        parent_link_create(actor=None, parent=parent, student=student, wants_paper_printout=True, consent_given=True)
        new_students.append(student)
    for n in range(5):
        for slot, course in enumerate(new_courses, start=3):
            lesson = m.Lesson.objects.create(
                course=course, date=day(n), slot=slot, teacher=teacher, status="held", topic="Тема"
            )
            m.Homework.objects.create(lesson=lesson, text="Задание", author=teacher)
            for i, student in enumerate(new_students):
                mark(lesson, student, "5", week.work_types["answer"], "Хорошо")
                if i % 4 == 0:
                    m.Attendance.objects.create(lesson=lesson, student=student, status="late", author=teacher)


def _queries(week: Week) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        printout = weekly_printout(week.world.class_5a, MONDAY)
    return len(captured.captured_queries), len(printout.pages), [q["sql"] for q in captured.captured_queries]


def test_the_builder_reads_a_fixed_number_of_queries(week: Week) -> None:
    _grow(week, students=1, courses=1)
    small, small_pages, _ = _queries(week)
    _grow(week, students=12, courses=4)
    large, large_pages, sql = _queries(week)

    assert (small_pages, large_pages) == (2, 14)
    assert small == large, "\n".join(sql)
    assert large <= BUDGET, "\n".join(sql)


# Every authenticated page starts with: 1. session, 2. user, 3. schools, 4. the user's roles of the school.
PAGE_BUDGETS = {
    # 5. the class (access layer), 6. the class's printouts with who asked,
    # 7. the printout students of today, 8. their parents' links with the parents
    "class_printouts": 8,
    # 5. the user's own documents with their classes (a deputy leads no class: no query for those)
    "document_list": 5,
}


def _documents(week: Week, count_: int) -> None:
    from reports.services.documents import document_request

    for n in range(count_):
        document_request(
            actor=week.world.users["deputy"],
            school=week.world.school,
            kind="weekly_printout",
            parameters={
                "class_id": week.world.class_5a.pk,
                "week": (MONDAY - datetime.timedelta(weeks=n + 1)).isoformat(),
            },
            class_group=week.world.class_5a,
            enqueue=False,
        )


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_printout_pages_read_a_fixed_number_of_queries(week: Week, client_for) -> None:
    from django.urls import reverse

    client = client_for("deputy")
    urls = {
        "class_printouts": reverse("reports:class_printouts", args=[week.world.class_5a.pk]),
        "document_list": reverse("reports:document_list"),
    }
    _documents(week, 2)
    _grow(week, students=1, courses=0)
    small = {name: _page_queries(client, url) for name, url in urls.items()}
    _documents(week, 10)
    _grow(week, students=8, courses=0)
    large = {name: _page_queries(client, url) for name, url in urls.items()}

    assert small == large
    assert large == PAGE_BUDGETS
