"""The monitoring's pages as their users meet them: the dashboards of each role with their workbooks, a
constant number of queries whatever the school's size, the control checks recorded and read."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from journal import models as m
from journal.services.structure import enrolment_create, teaching_assignment_create
from messaging.models import Notification, NotificationAudience, NotificationKind
from monitoring.models import ControlCheck
from tests.conftest import YEAR_START, World
from tests.factories import CourseFactory, StudentFactory, SubjectFactory

TODAY = timezone.localdate()


def _held(world: World, course: m.Course, day: datetime.date, slot: int, **fields: object) -> m.Lesson:
    fields.setdefault("topic", "Тема")
    return m.Lesson.objects.create(
        course=course, date=day, slot=slot, status="held", teacher=world.users["teacher"], **fields
    )


def test_the_deputys_dashboard_has_every_measure_and_its_workbook(
    world: World, client_for: Callable[[str], Client]
) -> None:
    _held(world, world.math_5a, TODAY, 1, topic="")
    client = client_for("deputy")

    response = client.get(reverse("monitoring:dashboard"))

    page = response.content.decode()
    headings = [section.heading for section in response.context["report"].sections]
    assert len(headings) == 7 and all(
        h.startswith(e)
        for h, e in zip(
            headings,
            [
                "Работа учителей",
                "Текущие отметки ниже минимума",
                "Пройденный материал (КТП)",
                "Не выставлены итоговые отметки",
                "Родители и обучающиеся",
                "Использование системы",
                "Контрольные проверки",
            ],
            strict=True,
        )
    )
    assert reverse("monitoring:teacher_week", args=[world.users["teacher"].pk]) in page
    workbook = load_workbook(io.BytesIO(client.get(reverse("monitoring:dashboard") + "?format=xlsx").content))
    assert workbook.sheetnames == [
        "Учителя",
        "Отметки",
        "КТП",
        "Итоговые отметки",
        "Семьи",
        "Использование",
        "Проверки",
    ]
    rows = list(workbook["Учителя"].iter_rows(values_only=True))
    mine = next(row for row in rows if row and row[0] == world.users["teacher"].short_name)
    assert mine[1:5] == (1, 1, None, 1)  # one lesson, held, none not held, one without a topic


def test_the_administrator_sees_the_families_and_the_use_of_the_system_only(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("administrator").get(reverse("monitoring:dashboard"))

    headings = [s.heading for s in response.context["report"].sections]
    assert headings == ["Родители и обучающиеся", "Использование системы"]


def test_the_class_teachers_dashboard_is_her_classs(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("class_teacher").get(reverse("monitoring:class_dashboard", args=[world.class_5a.pk]))

    report = response.context["report"]
    assert report.title == "Мониторинг класса 5А"
    families = report.sections[-1].tables[0].body
    assert [row[0].text for row in families] == ["5А"]


def _grow(world: World, students: int, courses: int, start: int) -> None:
    for n in range(start, start + students):
        student = StudentFactory(school=world.school, last_name=f"Новый{n}")
        enrolment_create(actor=None, student=student, class_group=world.class_6b, date_from=YEAR_START)
    for n in range(start, start + courses):
        course = CourseFactory(class_group=world.class_6b, subject=SubjectFactory(school=world.school, name=f"П{n}"))
        teaching_assignment_create(
            actor=None, course=course, teacher=world.users["other_teacher"], date_from=YEAR_START
        )
        _held(world, course, TODAY, n + 2)


def test_the_school_dashboard_takes_as_many_queries_for_a_bigger_school(
    world: World, client_for: Callable[[str], Client]
) -> None:
    m.StudyPeriod.objects.create(
        year=world.year,
        kind="quarter",
        number=2,
        start=TODAY - datetime.timedelta(days=20),
        end=TODAY + datetime.timedelta(days=20),
        final_marks_deadline=TODAY + datetime.timedelta(days=22),
    )
    client = client_for("deputy")
    url = reverse("monitoring:dashboard")
    _grow(world, students=1, courses=1, start=0)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(world, students=6, courses=4, start=1)
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)

    assert response.status_code == 200

    def shapes(ctx: CaptureQueriesContext) -> list[str]:
        return [q["sql"].split(" WHERE ")[0][-90:] for q in ctx.captured_queries]

    assert len(big.captured_queries) == len(small.captured_queries), Counter(shapes(big)) - Counter(shapes(small))


def test_the_deputy_records_a_check_and_the_teacher_is_told_and_reads_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    deputy = client_for("deputy")
    response = deputy.post(
        reverse("monitoring:checks"),
        {
            "teacher": world.users["teacher"].pk,
            "course": world.math_5a.pk,
            "checked_on": "2026-11-20",
            "findings": "Не записаны темы двух уроков.",
            "fix_by": "2026-11-27",
        },
    )

    assert response.status_code == 302
    check = ControlCheck.objects.get()
    assert (check.teacher, check.course, check.author) == (world.users["teacher"], world.math_5a, world.users["deputy"])
    told = Notification.objects.get(kind=NotificationKind.CONTROL_CHECK)
    assert told.recipient == world.users["teacher"] and told.audience == NotificationAudience.TEACHER
    assert "Не записаны темы двух уроков." in told.text and "27.11.2026" in told.text
    teacher = client_for("teacher")
    assert teacher.get(reverse("messaging:notification_open", args=[told.pk]))["Location"] == reverse(
        "monitoring:my_checks"
    )
    mine = teacher.get(reverse("monitoring:my_checks")).content.decode()
    assert "Не записаны темы двух уроков." in mine
    assert "Не записаны" not in client_for("other_teacher").get(reverse("monitoring:my_checks")).content.decode()

    deputy.post(reverse("monitoring:check_fixed", args=[check.pk]))
    check.refresh_from_db()
    assert check.fixed_on == TODAY


def test_a_check_put_right_before_it_was_made_is_refused_in_russian(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").post(
        reverse("monitoring:checks"),
        {
            "teacher": world.users["teacher"].pk,
            "checked_on": "2026-11-20",
            "findings": "Нет тем.",
            "fix_by": "2026-11-01",
        },
    )

    assert response.status_code == 400
    assert "Срок устранения раньше даты проверки." in response.content.decode()
    assert not ControlCheck.objects.exists()
