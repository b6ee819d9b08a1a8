"""Files of a lesson's homework: checked before they are stored, removed from disk after commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from journal.models import Homework, HomeworkFile
from journal.services.marks import _fresh_lesson, _refuse_locked

if TYPE_CHECKING:
    from accounts.models import User

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
    return kind.content_type


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
    _refuse_locked(_fresh_lesson(stored.lesson))
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
    _refuse_locked(_fresh_lesson(stored.homework.lesson))
    storage, name = stored.file.storage, stored.file.name
    stored.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
