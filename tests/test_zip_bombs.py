"""A small office file that unpacks to far more than a school's document (a "zip bomb") is refused with
what it would unpack to (the issue «Faults and bad input», finding 7): as a homework file and as a plan."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.uploads import MAX_UNPACKED_BYTES
from journal.imports import SpreadsheetError, read_table
from journal.services.homework import homework_file_check


def _bomb(first: str) -> bytes:
    """A ZIP well under a megabyte whose one big entry unpacks past the limit."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(first, "<xml/>")
        archive.writestr("payload.xml", b"\x00" * (MAX_UNPACKED_BYTES + 1024 * 1024))
    return out.getvalue()


def test_a_homework_file_that_unpacks_past_the_limit_is_refused() -> None:
    data = _bomb("word/document.xml")
    assert len(data) < 1024 * 1024

    with translation.override("ru"), pytest.raises(ValidationError) as refused:
        homework_file_check(SimpleUploadedFile("задание.docx", data))

    assert refused.value.message_dict["files"] == [
        "Файл «задание.docx» распаковывается в 41 МБ; допустимо не больше 40 МБ."
    ]


def test_an_ordinary_docx_still_passes() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert homework_file_check(SimpleUploadedFile("задание.docx", out.getvalue())).endswith("document")


def test_a_plan_that_unpacks_past_the_limit_says_so_not_that_it_is_over_2_mb() -> None:
    with translation.override("ru"), pytest.raises(SpreadsheetError) as refused:
        read_table(io.BytesIO(_bomb("xl/workbook.xml")), "ктп.xlsx")

    assert "распаковывается в 41 МБ" in str(refused.value) and "2 МБ" not in str(refused.value)
