"""The reports' pages, files and background runs as their users meet them (the figures themselves are
checked in test_report_figures.py, the roles in the permission matrix)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from journal import models as m
from journal.services.structure import enrolment_create
from reports.models import DocumentKind, GeneratedDocument
from tests.conftest import YEAR_START, World
from tests.factories import StudentFactory
from tests.reports.quarter import Q1
from tests.reports.test_pdf import pdf_text


def _page(code: str, **query: object) -> str:
    url = reverse("reports:report_page", args=[code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _file(code: str, fmt: str, **query: object) -> str:
    url = reverse("reports:report_file", args=[code, fmt])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_class_teacher_opens_the_results_of_the_quarter_as_page_pdf_and_workbook(
    q1: Q1, client_for: Callable[[str], Client]
) -> None:
    client = client_for("class_teacher")
    page = client.get(_page("results")).content.decode()  # opens on 5А and the last finished quarter
    assert "Итоги успеваемости класса за период" in page
    assert "1 четверть" in page and "66,7" in page and "53,8" in page

    pdf = client.get(_file("results", "pdf", period=q1.period.pk))
    assert pdf["Content-Type"] == "application/pdf"
    assert "results-" in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    assert "Итоги успеваемости класса за период" in text
    assert "Математика" in text and "66,7" in text and "Класс в целом" in text

    xlsx = client.get(_file("results", "xlsx", period=q1.period.pk))
    sheet = load_workbook(io.BytesIO(xlsx.content))["5А"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    math = rows["Математика"]
    assert math[1:6] == (6, 2, 1, 1, 1)
    # percentages as fractions shown with «%»
    assert float(math[11]) == 0.667 and float(math[13]) == 0.538 and float(math[14]) == 3.8


def test_a_class_report_takes_as_many_queries_for_a_bigger_class(
    q1: Q1, world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("class_teacher")
    url = _page("class-teacher", period=q1.period.pk)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    lesson = m.Lesson.objects.create(course=world.math_5a, date=datetime.date(2026, 10, 6), slot=1, status="held")
    for n in range(12):
        student = StudentFactory(school=world.school, last_name=f"Новенький{n}")
        enrolment_create(actor=None, student=student, class_group=world.class_5a, date_from=YEAR_START)
        m.FinalMark.objects.create(
            course=world.math_5a,
            student=student,
            kind="quarter",
            period=q1.period,
            value="4",
            author=world.users["teacher"],
        )
        m.Attendance.objects.create(lesson=lesson, student=student, status="absent", author=world.users["teacher"])
    assert count() == few


def test_a_report_with_bad_parameters_says_why_in_russian_and_builds_nothing(
    q1: Q1, world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("deputy")
    half = m.StudyPeriod.objects.create(
        year=world.year, kind="half_year", number=1, start=YEAR_START, end=datetime.date(2026, 12, 28)
    )
    page = client.get(_page("results", class_group=world.class_5a.pk, period=half.pk))
    assert page.context["report"] is None
    assert "Класс 5А аттестуется по другим периодам" in page.content.decode()

    months = client.get(
        _page("attendance-months", class_group=world.class_5a.pk, first_month="2026-11", last_month="2026-10")
    )
    assert months.context["report"] is None
    assert "Последний месяц раньше первого." in months.content.decode()


def test_a_class_teacher_asking_for_another_class_gets_404(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("class_teacher")
    assert client.get(_page("results", class_group=world.class_6b.pk)).status_code == 404
    assert client.get(_file("results", "pdf", class_group=world.class_6b.pk)).status_code == 404
    assert client.get(_page("results", class_group=world.foreign_class.pk)).status_code == 404


def test_the_deputy_makes_the_whole_schools_results_in_the_background_with_progress(
    q1: Q1, world: World, client_for: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("deputy")
    page = client.get(_page("results", period=q1.period.pk))  # the whole school: offered, not built
    assert page.context["background"] is True and page.context["report"] is None

    with django_capture_on_commit_callbacks(execute=True):  # the job is queued once the row is committed
        response = client.post(
            reverse("reports:report_make", args=["results"]),
            {"year": world.year.pk, "class_group": "", "period": q1.period.pk, "format": "xlsx"},
        )

    document = GeneratedDocument.objects.get(kind=DocumentKind.REPORT)
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:document_status", args=[document.pk]
    )
    assert document.status == "done"  # Celery runs eagerly in tests
    assert (document.progress_done, document.progress_total) == (3, 3)  # 5А, 6Б, the file
    status = client.get(response["Location"]).content.decode()
    assert "Итоги успеваемости класса за период (Excel)" in status
    download = client.get(reverse("reports:document_download", args=[document.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == ["По классам", "5А", "6Б"]
    by_class = {row[0]: row for row in workbook["По классам"].iter_rows(values_only=True) if row and row[0]}
    assert by_class["5А"][1:4] == (6, 2, 1)  # students, excellent, good
    # The administrator sees the school's printouts, not the deputy's reports (§3.6).
    assert client_for("administrator").get(response["Location"]).status_code == 404
    assert client_for("director").get(response["Location"]).status_code == 200


def test_the_movement_and_headcount_of_the_whole_school_open_in_the_request(
    q1: Q1, world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("director")
    page = client.get(_page("headcount", period=q1.period.pk, day="2026-10-01"))
    assert page.context["report"] is not None
    text = pdf_text(client.get(_file("headcount", "pdf", period=q1.period.pk, day="2026-10-01")).content)
    assert "Наполняемость классов" in text and "5–9 классы" in text
    movement = client.get(_page("movement", period=q1.period.pk)).content.decode()
    assert "Денисов Егор" in movement and "приказ № 12" in movement and "Переводы между классами" in movement
