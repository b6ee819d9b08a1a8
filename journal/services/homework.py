"""A lesson's homework (§4.4 «ежедневно»): its text, due date and files.

Files are checked before they are stored and leave the disk after the commit that removes them.
"""

from __future__ import annotations

import datetime
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import MAX_UNPACKED_BYTES, megabytes, unpacked_bytes
from journal import rules
from journal.models import Homework, HomeworkFile, Lesson
from journal.services.conflicts import check_version, stale_from_deletion, stale_from_row
from journal.services.guards import day_text, fresh_lesson, refuse_cancelled, refuse_closed

MAX_FILES = 5
MAX_FILE_SIZE = 10 * 1024 * 1024
SNIFF_BYTES = 2048

ZIP_MAGIC = (b"PK\x03\x04",)
BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"MZ", b"\x7fELF", b"GIF8")


@dataclass(frozen=True)
class FileKind:
    content_type: str
    magic: tuple[bytes, ...]  # empty: plain text (no NUL bytes, no known binary start)


ALLOWED: dict[str, FileKind] = {
    ".pdf": FileKind("application/pdf", (b"%PDF-",)),
    ".docx": FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP_MAGIC),
    ".xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP_MAGIC),
    ".pptx": FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP_MAGIC),
    ".odt": FileKind("application/vnd.oasis.opendocument.text", ZIP_MAGIC),
    ".txt": FileKind("text/plain", ()),
    ".jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def homework_file_check(upload: UploadedFile) -> str:
    """The content type of an acceptable upload; a Russian-translatable error naming the file otherwise."""
    name = PurePath(upload.name or "").name
    kind = ALLOWED.get(PurePath(name).suffix.lower())
    if kind is None:
        raise ValidationError(
            {
                "files": _("The file «%(name)s» is of a type that cannot be attached (allowed: %(types)s).")
                % {"name": name, "types": "pdf, docx, xlsx, pptx, odt, txt, jpg, png"}
            }
        )
    size = upload.size or 0
    if size > MAX_FILE_SIZE:
        raise ValidationError(
            {
                "files": _("The file «%(name)s» is %(size)s MB; at most %(max)s MB per file.")
                % {"name": name, "size": f"{size / 1024 / 1024:.1f}", "max": MAX_FILE_SIZE // 1024 // 1024}
            }
        )
    if size == 0:
        raise ValidationError({"files": _("The file «%(name)s» is empty.") % {"name": name}})
    head = _head(upload)
    if kind.magic:
        matches = head.startswith(kind.magic)
    else:
        matches = b"\x00" not in head and not head.startswith(BINARY_MAGIC)
    if not matches:
        raise ValidationError(
            {
                "files": _("The contents of the file «%(name)s» do not match its extension %(ext)s.")
                % {"name": name, "ext": PurePath(name).suffix.lower()}
            }
        )
    if kind.magic == ZIP_MAGIC:
        _refuse_zip_bomb(upload, name)
    return kind.content_type


def _refuse_zip_bomb(upload: UploadedFile, name: str) -> None:
    """An office document that unpacks to more than a school's document would (a "zip bomb")."""
    try:
        unpacked = unpacked_bytes(upload)
    except zipfile.BadZipFile:
        raise ValidationError(
            {"files": _("The file «%(name)s» is damaged: it cannot be opened.") % {"name": name}}
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(
            {
                "files": _("The file «%(name)s» unpacks to %(size)s MB; at most %(max)s MB.")
                % {"name": name, "size": megabytes(unpacked), "max": megabytes(MAX_UNPACKED_BYTES)}
            }
        )


def homework_files_check(homework: Homework | None, uploads: list[UploadedFile]) -> None:
    """Check a batch of uploads before anything is saved: count, size and type of each."""
    existing = homework.files.count() if homework is not None else 0
    if existing + len(uploads) > MAX_FILES:
        raise ValidationError(
            {
                "files": _("At most %(max)s files per homework; it has %(count)s, you attach %(new)s.")
                % {"max": MAX_FILES, "count": existing, "new": len(uploads)}
            }
        )
    for upload in uploads:
        homework_file_check(upload)


@transaction.atomic
def homework_file_add(*, actor: User, homework: Homework, upload: UploadedFile) -> HomeworkFile:
    """Attach one file to a homework (stored under a random name; the original name is kept in the row)."""
    stored = Homework.objects.select_for_update(of=("self",)).get(pk=homework.pk)
    refuse_closed(fresh_lesson(stored.lesson))
    homework_files_check(stored, [upload])
    content_type = homework_file_check(upload)
    row = HomeworkFile(
        homework=stored,
        original_name=PurePath(upload.name or "").name[:255],
        size=upload.size or 0,
        content_type=content_type,
    )
    row.file.save(PurePath(upload.name or "").name, upload, save=False)
    name, storage = row.file.name, row.file.storage
    try:
        row.save(force_insert=True)
    except Exception:
        storage.delete(name or "")
        raise
    return row


@transaction.atomic
def homework_file_delete(*, actor: User, file: HomeworkFile) -> None:
    """Remove an attached file; it leaves the disk once the transaction commits."""
    stored = HomeworkFile.objects.select_for_update(of=("self",)).filter(pk=file.pk).select_related("homework").first()
    if stored is None:
        return
    refuse_closed(fresh_lesson(stored.homework.lesson))
    storage, name = stored.file.storage, stored.file.name
    stored.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _require_writer(actor: User, lesson: Lesson) -> None:
    if not rules.writes_lesson(actor, lesson.course.class_group.year.school, lesson):
        raise PermissionDenied(_("Only the course's teacher or the lesson's substitute sets its homework."))


@transaction.atomic
def homework_set(
    *,
    actor: User,
    lesson: Lesson,
    text: str,
    due_date: datetime.date | None = None,
    expected_version: int | None = None,
) -> Homework:
    """Set the homework of a lesson (text and an optional due date): the course's teacher or the lesson's
    substitute (§4.4)."""
    lesson = fresh_lesson(lesson)
    _require_writer(actor, lesson)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the homework, or clear it.")})
    if due_date is not None and due_date < lesson.date:
        raise ValidationError(
            {
                "due_date": _("The homework cannot be due on %(due)s, before the lesson of %(date)s.")
                % {"due": due_date.strftime("%d.%m.%Y"), "date": day_text(lesson)}
            }
        )
    year = lesson.course.class_group.year
    if due_date is not None and due_date > year.end:
        # A typo of the year (2031 for 2026) would hide the homework from every week of this one.
        raise ValidationError(
            {
                "due_date": _("The homework cannot be due on %(due)s, after the school year ends on %(end)s.")
                % {"due": due_date.strftime("%d.%m.%Y"), "end": year.end.strftime("%d.%m.%Y")}
            }
        )
    refuse_cancelled(lesson)
    refuse_closed(lesson)
    row = Homework.objects.select_for_update(of=("self",)).filter(lesson=lesson).select_related("author").first()
    if row is None:
        if expected_version is not None:
            raise stale_from_deletion(Homework.history.filter(lesson_id=lesson.pk))
        row = Homework(lesson=lesson, text=text, due_date=due_date, author=actor)
        row._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            winner = Homework.objects.select_related("author").get(lesson=lesson)
            raise stale_from_row(winner, winner.text) from None
        return row
    check_version(row, expected_version, row.text)
    row.text = text
    row.due_date = due_date
    row.author = actor
    row.version = row.version + 1
    row._history_user = actor  # type: ignore[attr-defined]
    row.save(update_fields=["text", "due_date", "author", "version", "updated_at"])
    return row


@transaction.atomic
def homework_clear(*, actor: User, homework: Homework, expected_version: int) -> None:
    """Remove the homework of a lesson with its files (the files leave the disk after commit)."""
    stored = Homework.objects.select_for_update(of=("self",)).filter(pk=homework.pk).select_related("author").first()
    if stored is None:
        raise stale_from_deletion(Homework.history.filter(id=homework.pk))
    lesson = fresh_lesson(stored.lesson)
    _require_writer(actor, lesson)
    refuse_closed(lesson)
    check_version(stored, expected_version, stored.text)
    files = [(f.file.storage, f.file.name) for f in stored.files.all() if f.file.name]
    stored.files.all().delete()
    stored._history_user = actor  # type: ignore[attr-defined]
    stored.delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name or "")

    transaction.on_commit(remove_files)


@transaction.atomic
def homework_save(
    *,
    actor: User,
    lesson: Lesson,
    text: str,
    due_date: datetime.date | None = None,
    expected_version: int | None = None,
    uploads: list[UploadedFile] | None = None,
) -> Homework:
    """The homework's text and due date with new files, all or nothing: every file is checked before
    anything is stored, so a refused one leaves the homework as it was."""
    uploads = uploads or []
    homework_files_check(Homework.objects.filter(lesson=lesson).first(), uploads)
    homework = homework_set(actor=actor, lesson=lesson, text=text, due_date=due_date, expected_version=expected_version)
    for upload in uploads:
        homework_file_add(actor=actor, homework=homework, upload=upload)
    return homework
