"""The journal of final marks for binding (§7.4), its fingerprint check, the school's job and the year's archive.

5А has mathematics (``teacher``) and Russian; its two students have their marks of both quarters and of the
year in both (the year's last quarter ended 30 November, before today), so the class is complete. 6Б's
student has none: incomplete.
"""

from __future__ import annotations

import datetime
import io
import re
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from journal.services.final_marks import final_mark_set
from reports.builders.bound import bound_class, bound_deadline
from reports.models import DocumentKind, DocumentStatus, GeneratedDocument, PrintedCopy
from reports.services.bound import bound_request, parse_fingerprint
from reports.services.documents import document_claim, document_run, documents_recover, heartbeat_stale
from tests.celery_worker import celery_worker
from tests.conftest import YEAR_START, World
from tests.factories import ClassGroupFactory, CourseFactory, SubjectFactory
from tests.reports.test_printout_pdf import flat_text, page_count

Q1_END = datetime.date(2026, 10, 24)
# The year's last period here: over before the tests run, so the year's marks exist and the journal is made.
Q2_END = datetime.date(2026, 11, 30)


@dataclass
class Bound:
    world: World
    q1: m.StudyPeriod
    q2: m.StudyPeriod
    russian_5a: m.Course

    def download(self, client: Client, document: GeneratedDocument) -> bytes:
        response = client.get(reverse("reports:document_download", args=[document.pk]))
        assert response.status_code == 200
        return b"".join(response.streaming_content)


def final(course: m.Course, student: m.Student, period: m.StudyPeriod, value: str) -> m.FinalMark:
    return m.FinalMark.objects.create(
        course=course, student=student, kind=period.kind, period=period, value=value, author=course_author(course)
    )


def course_author(course: m.Course) -> object:
    from accounts.models import User

    return User.objects.get(username="teacher")


@pytest.fixture
def bound(world: World) -> Bound:
    q1 = m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=1, start=YEAR_START, end=Q1_END)
    q2 = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=2, start=datetime.date(2026, 11, 5), end=Q2_END
    )
    russian = CourseFactory(
        class_group=world.class_5a, subject=SubjectFactory(school=world.school, name="Русский язык")
    )
    for course, child, other in ((world.math_5a, "4", "5"), (russian, "3", "4")):
        for period in (q1, q2):
            final(course, world.child, period, child)
            final(course, world.other_child, period, other)
        for student, value in ((world.child, child), (world.other_child, other)):
            m.FinalMark.objects.create(
                course=course, student=student, kind="year", value=value, author=course_author(course)
            )
    return Bound(world=world, q1=q1, q2=q2, russian_5a=russian)


@pytest.fixture
def post(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """A POST whose jobs run once its rows are committed (Celery runs eagerly in tests)."""

    def send(client: Client, data: dict[str, Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("reports:bound_make"), data)

    return send


def make_class(post: Callable[..., Any], client: Client, class_group: m.ClassGroup) -> GeneratedDocument:
    response = post(client, {"kind": DocumentKind.BOUND_JOURNAL, "class": class_group.pk})
    assert response.status_code == 302
    return GeneratedDocument.objects.get(kind=DocumentKind.BOUND_JOURNAL, class_group=class_group)


def rows_of(data: bytes) -> list[str]:
    """The PDF's lines as laid out (a table's row on one line), spaces collapsed."""
    raw = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return [" ".join(line.split()) for line in raw.decode().splitlines()]


def test_the_deputy_makes_the_bound_journal_of_a_class_with_numbered_sheets_and_certification(
    bound: Bound, client_for: Callable[[str], Client], post: Callable[..., Any]
) -> None:
    deputy = client_for("deputy")
    document = make_class(post, deputy, bound.world.class_5a)

    assert document.status == DocumentStatus.DONE, document.error
    data = bound.download(deputy, document)
    text = flat_text(data)
    rows = rows_of(data)
    sheets = page_count(data)
    for expected in (
        "Школа № 1",
        "ЖУРНАЛ ИТОГОВОЙ УСПЕВАЕМОСТИ",
        "Класс 5А · 2026/2027 учебный год",
        "Классный руководитель: Смирнова Мария",
        "Математика · учитель: Иванова А.",
        "Русский язык",
        "Сводная ведомость учёта успеваемости · класс 5А",
        f"Прошито, пронумеровано и скреплено печатью {sheets} листов" if sheets >= 5 else "Прошито",
        "Директор",
        "М. П.",
    ):
        assert expected in text, expected
    # Every sheet numbered «лист N из M» and carrying the same fingerprint, the one stored with the document.
    for n in range(1, sheets + 1):
        assert f"лист {n} из {sheets}" in text
    prints = re.findall(r"SHA-256 ((?:[0-9a-f]{4} ){15}[0-9a-f]{4})", text)
    assert len(prints) == sheets
    assert {p.replace(" ", "") for p in prints} == {document.fingerprint}
    assert PrintedCopy.objects.get(fingerprint=document.fingerprint).sheets == sheets
    # The students with their marks of the quarters and the year in the subject's table.
    assert any(re.fullmatch(r"2 Соколов Артём \w+ 4 4 4", row) for row in rows)
    assert any(re.fullmatch(r"1 Волкова Алиса \w+ 5 5 5", row) for row in rows)
    # The PDF carries the fonts bundled with the application, embedded.
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "Journal-Sans" in fonts and "DejaVu" not in fonts


def test_an_incomplete_class_says_so_on_its_title_page_and_on_the_page(
    bound: Bound, client_for: Callable[[str], Client], post: Callable[..., Any]
) -> None:
    m.FinalMark.objects.filter(student=bound.world.other_child, course=bound.russian_5a, period=bound.q1).delete()
    deputy = client_for("deputy")

    page = deputy.get(reverse("reports:bound_index")).content.decode()
    document = make_class(post, deputy, bound.world.class_5a)

    assert "1 отметка не выставлена" in page
    text = flat_text(bound.download(deputy, document))
    assert "Итоговые отметки не полны на" in text and "не выставлена 1 отметка" in text
    assert "Русский язык, 1 четверть: Волкова Алиса" in text  # the short name, as the monitoring says it


def test_the_fingerprint_check_finds_a_mark_changed_after_printing(
    bound: Bound, client_for: Callable[[str], Client], post: Callable[..., Any]
) -> None:
    deputy = client_for("deputy")
    document = make_class(post, deputy, bound.world.class_5a)
    fingerprint = document.fingerprint
    verify = reverse("reports:bound_verify")

    same = deputy.get(verify, {"fp": " ".join(fingerprint[i : i + 4] for i in range(0, 16, 4))}).content.decode()
    assert 'data-result="matches"' in same
    assert "Копия совпадает с журналом" in same

    final_mark_set(
        actor=bound.world.users["teacher"],
        course=bound.world.math_5a,
        student=bound.world.child,
        kind="quarter",
        period=bound.q1,
        value="5",
        reason="исправлено после пересдачи",
        expected_version=1,
    )
    changed = deputy.get(verify, {"fp": fingerprint}).content.decode()

    assert 'data-result="changed"' in changed
    assert "Журнал изменился после печати этой копии" in changed
    row = re.search(
        r"<tr><td>Соколов Артём \w+ · Математика · 1 четверть</td><td>(.*?)</td><td[^>]*>(.*?)</td>", changed
    )
    assert row and row.groups() == ("4", "5")
    # The class teacher checks their class's copy; the class teacher of another class finds nothing.
    assert 'data-result="changed"' in client_for("class_teacher").get(verify, {"fp": fingerprint}).content.decode()
    m.ClassGroup.objects.filter(pk=bound.world.class_6b.pk).update(class_teacher=None)
    # A copy of another school is not found from this one.
    assert 'data-result="unknown"' in client_for("deputy").get(verify, {"fp": "0" * 64}).content.decode()


def test_what_a_reader_types_or_scans_is_read_as_a_fingerprint() -> None:
    full = "ab" * 32
    assert parse_fingerprint(full.upper()) == full
    assert parse_fingerprint(f"https://journal.example.org/documents/bound/verify/?fp={full}") == full
    assert parse_fingerprint("abab abab abab abab") == "ab" * 8
    assert parse_fingerprint("abab") == ""
    assert parse_fingerprint("не отпечаток") == ""


def test_the_deadline_is_25_june_and_30_june_for_grades_9_and_11(world: World) -> None:
    assert bound_deadline(world.year, 5) == datetime.date(2027, 6, 25)
    assert bound_deadline(world.year, 10) == datetime.date(2027, 6, 25)
    assert bound_deadline(world.year, 9) == datetime.date(2027, 6, 30)
    assert bound_deadline(world.year, 11) == datetime.date(2027, 6, 30)


def test_the_school_job_prints_the_complete_classes_and_lists_the_incomplete(
    bound: Bound, client_for: Callable[[str], Client], post: Callable[..., Any]
) -> None:
    deputy = client_for("deputy")
    response = post(deputy, {"kind": DocumentKind.BOUND_JOURNAL})
    assert response.status_code == 302
    school = GeneratedDocument.objects.get(kind=DocumentKind.BOUND_JOURNAL, class_group=None)

    assert school.status == DocumentStatus.DONE, school.error
    assert school.progress_done == school.progress_total == 2
    with zipfile.ZipFile(io.BytesIO(bound.download(deputy, school))) as archive:
        names = archive.namelist()
        text = flat_text(archive.read(names[0]))
    assert names == ["bound-journal-5А-2026-2027.pdf"]
    assert "Класс 5А" in text
    assert school.findings == [
        {
            "class": "6Б",
            "class_id": bound.world.class_6b.pk,
            "text": "итоговые отметки не полны: не выставлены 3 отметки",
            "missing": 3,
        }
    ]
    page = deputy.get(reverse("reports:bound_index")).content.decode()
    assert "6Б: итоговые отметки не полны" in page

    # Asked again with the same data: the class's document is reused, not made again.
    child = GeneratedDocument.objects.get(kind=DocumentKind.BOUND_JOURNAL, class_group=bound.world.class_5a)
    post(deputy, {"kind": DocumentKind.BOUND_JOURNAL})
    again = GeneratedDocument.objects.get(pk=child.pk)
    assert (again.finished_at, again.attempts) == (child.finished_at, child.attempts)


def test_a_school_run_killed_midway_is_taken_over_and_keeps_the_classes_already_made(
    bound: Bound, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    final(world.russian_6b, world.student_6b, bound.q1, "4")
    final(world.russian_6b, world.student_6b, bound.q2, "4")
    m.FinalMark.objects.create(
        course=world.russian_6b, student=world.student_6b, kind="year", value="4", author=world.users["teacher"]
    )
    deputy = world.users["deputy"]
    made = bound_request(
        actor=deputy, year=world.year, kind=DocumentKind.BOUND_JOURNAL, class_group=world.class_5a, enqueue=False
    )
    document_run(document_id=made.pk)
    finished_before = GeneratedDocument.objects.get(pk=made.pk).finished_at
    school = bound_request(actor=deputy, year=world.year, kind=DocumentKind.BOUND_JOURNAL, enqueue=False)
    # A worker claimed the school's run and died: no heartbeat for longer than the stale limit.
    assert document_claim(document_id=school.pk) is not None
    GeneratedDocument.objects.filter(pk=school.pk).update(heartbeat_at=timezone.now() - heartbeat_stale() * 2)

    with django_capture_on_commit_callbacks(execute=True):
        assert documents_recover() == 1  # taken over at once, not after the task's time limit (run inline here)

    school.refresh_from_db()
    assert school.status == DocumentStatus.DONE, school.error
    assert school.attempts == 2
    with zipfile.ZipFile(school.file.open("rb")) as archive:
        assert sorted(archive.namelist()) == ["bound-journal-5А-2026-2027.pdf", "bound-journal-6Б-2026-2027.pdf"]
    # 5А was made before the school's run began with the same data: kept as it was.
    assert GeneratedDocument.objects.get(pk=made.pk).finished_at == finished_before


def test_the_bound_page_takes_as_many_queries_for_more_classes(
    bound: Bound, client_for: Callable[[str], Client], post: Callable[..., Any]
) -> None:
    deputy = client_for("deputy")
    url = reverse("reports:bound_index")
    deputy.get(url)
    with CaptureQueriesContext(connection) as few:
        assert deputy.get(url).status_code == 200
    for letter in "ВГД":
        extra = ClassGroupFactory(year=bound.world.year, grade=7, letter=letter)
        course = CourseFactory(class_group=extra, subject=bound.russian_5a.subject)
        final(course, bound.world.child, bound.q1, "5")
    with CaptureQueriesContext(connection) as more:
        page = deputy.get(url).content.decode()
    assert "7Д" in page
    assert len(more) == len(few)


def test_the_year_archive_of_a_class_holds_its_lessons_topics_homework_marks_and_absences(
    bound: Bound, client_for: Callable[[str], Client], post: Callable[..., Any]
) -> None:
    world = bound.world
    teacher = world.users["teacher"]
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=datetime.date(2026, 10, 6), slot=2, teacher=teacher, topic="Дроби и проценты"
    )
    m.Homework.objects.create(lesson=lesson, text="№ 245, 246", author=teacher)
    work = m.WorkType.objects.filter(school=world.school).first() or m.WorkType.objects.create(
        school=world.school, name="Ответ на уроке", weight=1
    )
    m.Mark.objects.create(lesson=lesson, student=world.child, value="5", work_type=work, weight=1, author=teacher)
    m.Attendance.objects.create(
        lesson=lesson, student=world.other_child, status="absent", reason="illness", author=teacher
    )
    deputy = client_for("deputy")

    response = post(deputy, {"kind": DocumentKind.YEAR_ARCHIVE, "class": world.class_5a.pk})

    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind=DocumentKind.YEAR_ARCHIVE, class_group=world.class_5a)
    assert document.status == DocumentStatus.DONE, document.error
    data = bound.download(deputy, document)
    text, rows = flat_text(data), rows_of(data)
    for expected in (
        "КЛАССНЫЙ ЖУРНАЛ",
        "Класс 5А",
        "Математика",
        "1 четверть",
        "06.10",
        "Дроби и проценты",
        "№ 245, 246",
    ):
        assert expected in text, expected
    # The lesson's column: the mark of one, the absence (illness) of the other, and the quarter's mark.
    assert any(re.fullmatch(r"2 Соколов Артём \w+ 5 5,00 4", row) for row in rows), rows
    assert any(re.fullmatch(r"1 Волкова Алиса \w+ Б 5", row) for row in rows), rows
    assert "лист 1 из" in text


def test_the_bound_journal_reads_the_class_in_a_constant_number_of_queries(bound: Bound) -> None:
    with CaptureQueriesContext(connection) as queries:
        found = bound_class(bound.world.class_5a)
    assert found.complete
    # Once the year is over the missing marks are read for both quarters and the year.
    assert len(queries) <= 26


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_schools_bound_journal_the_deputy_asked_for(
    bound: Bound, client_for: Callable[[str], Client], tmp_path: Path, media: Path
) -> None:
    deputy = client_for("deputy")
    with celery_worker(tmp_path, "bound-test", MEDIA_ROOT=str(media)) as worker_log:
        response = deputy.post(reverse("reports:bound_make"), {"kind": DocumentKind.BOUND_JOURNAL})
        assert response.status_code == 302
        school = GeneratedDocument.objects.get(kind=DocumentKind.BOUND_JOURNAL, class_group=None)
        # The request only queued it: the page shows it waiting or running, with its progress.
        page = deputy.get(reverse("reports:bound_index")).content.decode()
        assert f'data-testid="document-status-{school.pk}"' in page
        deadline = time.monotonic() + 90
        while school.status in (DocumentStatus.QUEUED, DocumentStatus.RUNNING) and time.monotonic() < deadline:
            time.sleep(0.5)
            school.refresh_from_db()
        assert school.status == DocumentStatus.DONE, (school.error, worker_log()[-3000:])
    assert "Task reports.run_document[" in worker_log()
    with zipfile.ZipFile(io.BytesIO(bound.download(deputy, school))) as archive:
        assert archive.namelist() == ["bound-journal-5А-2026-2027.pdf"]
        data = archive.read("bound-journal-5А-2026-2027.pdf")
    text = flat_text(data)
    sheets = page_count(data)
    assert "ЖУРНАЛ ИТОГОВОЙ УСПЕВАЕМОСТИ" in text and "Класс 5А · 2026/2027 учебный год" in text
    assert f"лист {sheets} из {sheets}" in text
    assert any(re.fullmatch(r"2 Соколов Артём \w+ 4 4 4", row) for row in rows_of(data))
    assert [f["class"] for f in school.findings] == ["6Б"]


def test_before_the_years_marks_exist_the_bound_journal_is_not_offered_and_refused_with_the_reason(
    world: World, client_for: Callable[[str], Client], post: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 8 December (the 2nd quarter of 4 going on), 5А's first-quarter marks all set: the page does not say
    «complete» nor offer the journal, says from when it is made, and a request is refused with that day."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 12, 8))
    m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=1, start=YEAR_START, end=Q1_END)
    m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=4, start=datetime.date(2027, 4, 1), end=datetime.date(2027, 5, 31)
    )
    deputy = client_for("deputy")

    page = deputy.get(reverse("reports:bound_index")).content.decode()

    row = page.split(f'data-testid="bound-row-{world.class_5a.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "годовые отметки с 01.06.2027" in row and "полны" not in row
    assert f'data-testid="bound-make-{DocumentKind.BOUND_JOURNAL}-{world.class_5a.pk}"' not in row
    assert f'data-testid="bound-make-{DocumentKind.YEAR_ARCHIVE}-{world.class_5a.pk}"' in row  # the archive is
    assert f'data-testid="bound-make-school-{DocumentKind.BOUND_JOURNAL}"' not in page
    assert 'data-testid="bound-year-not-over"' in page and 'data-testid="bound-incomplete"' not in page
    response = post(deputy, {"kind": DocumentKind.BOUND_JOURNAL, "class": world.class_5a.pk})
    assert response.status_code == 302
    assert not GeneratedDocument.objects.filter(kind=DocumentKind.BOUND_JOURNAL).exists()
    shown = deputy.get(response.url).content.decode()
    assert "последний учебный период ещё не окончен, журнал можно сформировать с 01.06.2027" in shown


def test_the_incomplete_classes_are_counted_as_a_list_not_read_as_a_grade(
    bound: Bound, client_for: Callable[[str], Client]
) -> None:
    """«В 1 классе…» read as "in grade 1": the count is of the classes listed after it."""
    page = client_for("deputy").get(reverse("reports:bound_index")).content.decode()

    incomplete = page.split('data-testid="bound-incomplete">', 1)[1].split("</p>", 1)[0]
    assert " ".join(incomplete.split()) == (
        "Классов с неполными итоговыми отметками (перечислены, не печатаются): 1 — 6Б"
    )
