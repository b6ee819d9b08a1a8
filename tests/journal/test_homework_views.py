"""Homework on the lesson page: text, due date and files (limits, sniffing), the guarded download."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from journal import models as m
from journal.services.homework import MAX_FILE_SIZE, homework_file_add, homework_set
from tests.conftest import World
from tests.journal.test_plans import make_lessons, weekdays


@pytest.fixture(autouse=True)
def english_users(world: World) -> None:
    """Every persona chose English (the msgids) for the interface."""
    User.objects.update(language="en")


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


def _docx() -> bytes:
    """A minimal Word file: a ZIP with the document part (a damaged archive is refused)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


DOCX = _docx()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def lesson(world: World) -> m.Lesson:
    (lesson,) = make_lessons(world.math_5a, weekdays(1))
    return lesson


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def save(client: Client, lesson: m.Lesson, *files: SimpleUploadedFile, **data: Any) -> Any:
    payload: dict[str, Any] = {"text": "§ 12, № 3–5", "due_date": "", "version": "", **data}
    if files:
        payload["files"] = list(files)
    return client.post(reverse("journal:homework_save", args=[lesson.pk]), payload)


def attached(world: World, lesson: m.Lesson, name: str = "Задание.pdf", content: bytes = PDF) -> m.HomeworkFile:
    homework = m.Homework.objects.filter(lesson=lesson).first() or homework_set(
        actor=world.users["teacher"], lesson=lesson, text="§ 12"
    )
    return homework_file_add(actor=world.users["teacher"], homework=homework, upload=SimpleUploadedFile(name, content))


def test_teacher_sets_homework_with_files_stored_under_random_names(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson, media: Path
) -> None:
    due = (lesson.date + datetime.timedelta(days=2)).isoformat()
    response = save(
        client_for("teacher"),
        lesson,
        SimpleUploadedFile("Задание.pdf", PDF),
        SimpleUploadedFile("photo.PNG", PNG),
        SimpleUploadedFile("table.docx", DOCX),
        due_date=due,
    )

    assert response.status_code == 302
    homework = m.Homework.objects.get(lesson=lesson)
    assert (homework.text, homework.due_date.isoformat(), homework.version) == ("§ 12, № 3–5", due, 1)
    rows = sorted(homework.files.values_list("original_name", "content_type", "size"))
    assert rows == [
        ("photo.PNG", "image/png", len(PNG)),
        ("table.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", len(DOCX)),
        ("Задание.pdf", "application/pdf", len(PDF)),
    ]
    on_disk = stored_files(media)
    assert len(on_disk) == 3
    assert not any(p.stem in {"Задание", "photo", "table"} for p in on_disk)
    page = client_for("teacher").get(reverse("journal:lesson_detail", args=[lesson.pk])).content.decode()
    assert "Задание.pdf" in page and reverse("journal:homework_file", args=[homework.files.first().pk]) in page


def test_an_oversized_file_is_refused_by_name_and_nothing_is_saved(
    client_for: Callable[[str], Client], lesson: m.Lesson, media: Path
) -> None:
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (MAX_FILE_SIZE - len(PDF) + 1))

    response = save(client_for("teacher"), lesson, SimpleUploadedFile("ok.pdf", PDF), big)

    assert response.status_code == 400
    assert "The file «big.pdf» is 10.0 MB; at most 10 MB per file." in response.content.decode()
    assert not m.Homework.objects.exists()
    assert not m.HomeworkFile.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("homework.pdf", PNG, "The contents of the file «homework.pdf» do not match its extension .pdf."),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 40, "The file «setup.exe» is of a type that cannot be attached"),
        ("notes.txt", b"MZ\x90\x00\x03", "The contents of the file «notes.txt» do not match its extension .txt."),
        ("report.docx", PDF, "The contents of the file «report.docx» do not match its extension .docx."),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_saved(
    client_for: Callable[[str], Client], lesson: m.Lesson, media: Path, name: str, content: bytes, message: str
) -> None:
    response = save(client_for("teacher"), lesson, SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile(name, content))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not m.Homework.objects.exists()
    assert not m.HomeworkFile.objects.exists()
    assert stored_files(media) == []


def test_more_than_five_files_are_refused(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson, media: Path
) -> None:
    for i in range(4):
        attached(world, lesson, f"{i}.pdf")
    homework = m.Homework.objects.get(lesson=lesson)

    response = save(
        client_for("teacher"),
        lesson,
        SimpleUploadedFile("a.txt", "Прочитать".encode()),
        SimpleUploadedFile("b.txt", b"read"),
        version=str(homework.version),
    )

    assert response.status_code == 400
    assert "At most 5 files per homework; it has 4, you attach 2." in response.content.decode()
    assert homework.files.count() == 4
    assert len(stored_files(media)) == 4


def test_a_stale_homework_save_is_refused_with_what_is_stored_now(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson
) -> None:
    homework_set(actor=world.users["teacher"], lesson=lesson, text="Первый вариант")
    homework_set(actor=world.users["teacher"], lesson=lesson, text="Второй вариант", expected_version=1)

    response = save(client_for("teacher"), lesson, text="Третий вариант", version="1")

    assert response.status_code == 409
    assert "saved «Второй вариант»" in response.content.decode()
    assert m.Homework.objects.get(lesson=lesson).text == "Второй вариант"


def test_a_reader_downloads_a_file_under_its_original_name(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson
) -> None:
    row = attached(world, lesson)

    response = client_for("class_teacher").get(reverse("journal:homework_file", args=[row.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%D0%97%D0%B0%D0%B4%D0%B0%D0%BD%D0%B8%D0%B5.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("persona", "status"), [("other_teacher", 404), ("parent", 403), ("student", 403)])
def test_a_file_is_not_served_outside_the_lessons_readers(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson, persona: str, status: int
) -> None:
    row = attached(world, lesson)

    response = client_for(persona).get(reverse("journal:homework_file", args=[row.pk]))

    assert response.status_code == status
    assert not hasattr(response, "streaming_content")


def test_the_teacher_removes_a_file_and_it_leaves_the_disk_after_commit(
    world: World,
    client_for: Callable[[str], Client],
    lesson: m.Lesson,
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    row = attached(world, lesson)
    assert len(stored_files(media)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("teacher").post(reverse("journal:homework_file_delete", args=[row.pk]))

    assert response.status_code == 302
    assert not m.HomeworkFile.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(("persona", "status"), [("class_teacher", 403), ("deputy", 403), ("other_teacher", 404)])
def test_others_cannot_remove_a_file(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson, media: Path, persona: str, status: int
) -> None:
    row = attached(world, lesson)

    response = client_for(persona).post(reverse("journal:homework_file_delete", args=[row.pk]))

    assert response.status_code == status
    assert m.HomeworkFile.objects.filter(pk=row.pk).exists()
    assert len(stored_files(media)) == 1


def test_a_reader_sees_the_homework_but_no_form(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson
) -> None:
    attached(world, lesson)

    page = client_for("deputy").get(reverse("journal:lesson_detail", args=[lesson.pk])).content.decode()

    assert "§ 12" in page and "Задание.pdf" in page
    assert 'data-testid="homework-form"' not in page


def test_others_cannot_set_homework(world: World, client_for: Callable[[str], Client], lesson: m.Lesson) -> None:
    for persona, status in (("class_teacher", 403), ("deputy", 403), ("other_teacher", 404), ("parent", 403)):
        assert save(client_for(persona), lesson, SimpleUploadedFile("a.pdf", PDF)).status_code == status
    assert not m.Homework.objects.exists()
    assert not m.HomeworkFile.objects.exists()


# --- Clearing the homework -------------------------------------------------------------------------


def clear_url(lesson: m.Lesson) -> str:
    return reverse("journal:homework_clear", args=[lesson.pk])


def test_the_teacher_confirms_and_deletes_the_homework_with_its_files_in_history(
    world: World,
    client_for: Callable[[str], Client],
    lesson: m.Lesson,
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    row = attached(world, lesson)
    User.objects.update(language="")  # the school's Russian
    client = client_for("teacher")
    lesson_page = client.get(reverse("journal:lesson_detail", args=[lesson.pk])).content.decode()
    assert "Удалить задание" in lesson_page and clear_url(lesson) in lesson_page

    confirm = client.get(clear_url(lesson))
    assert confirm.status_code == 200
    assert "§ 12" in confirm.content.decode() and "Задание.pdf" in confirm.content.decode()
    assert m.Homework.objects.filter(lesson=lesson).exists()  # a GET deletes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(clear_url(lesson), {"version": row.homework.version})

    assert response.status_code == 302
    assert not m.Homework.objects.filter(lesson=lesson).exists()
    assert not m.HomeworkFile.objects.exists()
    assert stored_files(media) == []
    last = m.Homework.history.filter(lesson_id=lesson.pk).latest("history_date")
    assert (last.history_type, last.text, last.history_user) == ("-", "§ 12", world.users["teacher"])
    assert "Домашнее задание удалено." in client.get(response.url).content.decode()


def test_a_stale_clear_is_refused_and_the_homework_stays(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson
) -> None:
    homework = homework_set(actor=world.users["teacher"], lesson=lesson, text="§ 12")
    homework_set(actor=world.users["teacher"], lesson=lesson, text="§ 13", expected_version=homework.version)

    response = client_for("teacher").post(clear_url(lesson), {"version": homework.version})

    assert response.status_code == 409
    assert m.Homework.objects.get(lesson=lesson).text == "§ 13"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("student", 403), ("parent", 403), ("other_teacher", 404), ("class_teacher", 403), ("deputy", 403)],
)
def test_others_cannot_clear_the_homework(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson, media: Path, persona: str, status: int
) -> None:
    row = attached(world, lesson)
    client = client_for(persona)

    assert client.get(clear_url(lesson)).status_code == status
    assert client.post(clear_url(lesson), {"version": row.homework.version}).status_code == status
    assert m.Homework.objects.filter(lesson=lesson, text="§ 12").exists()
    assert m.HomeworkFile.objects.filter(pk=row.pk).exists()
    assert len(stored_files(media)) == 1


def test_a_reader_gets_no_delete_button(world: World, client_for: Callable[[str], Client], lesson: m.Lesson) -> None:
    attached(world, lesson)
    page = client_for("deputy").get(reverse("journal:lesson_detail", args=[lesson.pk])).content.decode()
    assert 'data-testid="homework-clear"' not in page


def test_the_substitute_clears_the_homework_of_the_lesson(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson
) -> None:
    from journal.services.substitutions import substitution_assign

    homework = homework_set(actor=world.users["teacher"], lesson=lesson, text="§ 12")
    substitution_assign(
        actor=world.users["deputy"], lesson=lesson, substitute=world.users["other_teacher"], reason="Болезнь"
    )

    response = client_for("other_teacher").post(clear_url(lesson), {"version": homework.version})

    assert response.status_code == 302
    assert not m.Homework.objects.filter(lesson=lesson).exists()


def test_a_due_date_past_the_school_years_end_is_refused_and_nothing_is_saved(
    world: World, client_for: Callable[[str], Client], lesson: m.Lesson
) -> None:
    """A typo of the year (2031 for 2026) is refused with the year's last day, not stored silently."""
    response = save(client_for("teacher"), lesson, due_date=lesson.date.replace(year=2031).isoformat())

    assert response.status_code == 400
    end = world.year.end.strftime("%d.%m.%Y")
    assert f"after the school year ends on {end}" in response.content.decode()
    assert not m.Homework.objects.filter(lesson=lesson).exists()
    last_day = save(client_for("teacher"), lesson, due_date=world.year.end.isoformat())
    assert last_day.status_code == 302
    assert m.Homework.objects.get(lesson=lesson).due_date == world.year.end
