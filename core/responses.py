"""File downloads: PDF and XLSX answers with a file name the browser keeps (Cyrillic included)."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    """``content`` as a download named ``filename`` (``inline``: shown in the browser, saved under that name)."""
    response = HttpResponse(content, content_type=content_type)
    disposition = content_disposition_header(as_attachment=not inline, filename=filename)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    return attachment(content, PDF_TYPE, filename, inline=inline)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return attachment(content, XLSX_TYPE, filename)


def stored_file_response(file: FieldFile, filename: str, content_type: str | None) -> FileResponse:
    """A stored upload or document as a download under ``filename``: always an attachment, and the browser
    must not guess another type (a homework file could hold anything a pupil's parent uploaded)."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True, filename=filename)
    if content_type:
        response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response
