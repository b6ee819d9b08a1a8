"""HTML templates to PDF with WeasyPrint, fetching nothing but our own static files.

User text (names, reasons, topics) ends up in these documents, so the
renderer must not follow a URL it finds there: the ``url_fetcher`` serves
files under ``STATIC_URL`` found by the staticfiles finders and refuses
everything else (other hosts, ``file:``, ``data:``), without touching the
network. The fonts are bundled in ``static/fonts`` (DejaVu) and declared by
``reports/pdf/_fonts.html``, so a document looks the same on any server.

Long documents are rendered in chunks of about ten pages and merged with
pypdf: one WeasyPrint layout of 100 dense pages peaks near 3 GB, in chunks
under 0.4 GB (DESIGN.md, "Stack"). CSS page counters would restart in every
chunk, so chunked documents get their «стр. N из M» stamped after merging.
"""

from __future__ import annotations

import io
import mimetypes
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint  # noqa: E402 — after quieting the progress logger
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse  # noqa: E402

# A reserved top-level domain (RFC 2606): never resolves. It only gives
# relative and root-relative URLs of the templates an absolute form that the
# fetcher below recognises as ours.
BASE_URL = "https://pdf.invalid/"

PAGE_NUMBERS_TEMPLATE = "reports/pdf/page_numbers.html"


class RefusedURLError(ValueError):
    """The document asked for something that is not one of our static files."""


def static_file_for(url: str) -> Path | None:
    """The local file behind ``url`` if it is one of our static files, else None."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    static_prefix = urlsplit(settings.STATIC_URL).path
    path = posixpath.normpath(unquote(parts.path))
    if not path.startswith(static_prefix) or ".." in path.split("/"):
        return None
    name = path.removeprefix(static_prefix)
    found = finders.find(name)
    if found:
        return Path(found if isinstance(found, str) else found[0])
    # Production serves collected, hashed names ({% static %} yields those).
    try:
        collected = Path(staticfiles_storage.path(name))
    except NotImplementedError:
        return None
    return collected if collected.is_file() else None


class StaticOnlyFetcher(weasyprint.URLFetcher):
    """Serves our static files to WeasyPrint; refuses every other URL, never opening a connection."""

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        path = static_file_for(url)
        if path is None:
            raise RefusedURLError(f"Only our own static files are served to the PDF renderer, not {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def page_number_css(label: str = "") -> SafeString:
    """The CSS ``content`` value for «стр. N из M» (or another ``label`` with ``%(page)s`` and ``%(pages)s``),
    from one translatable message."""
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", label or _("p. %(page)s of %(pages)s"))
    tokens = []
    for part in parts:
        if part == "%(page)s":
            tokens.append("counter(page)")
        elif part == "%(pages)s":
            tokens.append("counter(pages)")
        elif part:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
            tokens.append(f'"{escaped}"')
    return mark_safe(" ".join(tokens))  # noqa: S308 — our own translation, CSS-escaped above


def _html_to_pdf(html: str) -> bytes:
    return html_document(html).write_pdf()


def html_document(html: str, font_config: FontConfiguration | None = None) -> weasyprint.Document:
    """``html`` laid out in pages (a WeasyPrint document), fetching only our static files."""
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render(
        font_config=font_config
    )


def documents_pdf(parts: list[list[weasyprint.Page]], first: weasyprint.Document) -> bytes:
    """The pages of documents laid out with one font configuration, as one PDF (``first`` gives the metadata)."""
    return first.copy([page for pages in parts for page in pages]).write_pdf()


def render_pdf(template_name: str, context: Mapping[str, Any], *, page_numbers: bool = True) -> bytes:
    """Render a template extending ``reports/pdf/base.html`` to PDF bytes (page numbers by CSS)."""
    html = render_to_string(template_name, {**context, "page_numbers_css": page_number_css() if page_numbers else ""})
    return _html_to_pdf(html)


def render_pdf_chunks(
    template_name: str,
    contexts: Iterable[Mapping[str, Any]],
    *,
    page_numbers: bool = True,
    on_chunk: Callable[[int], None] | None = None,
    label: str = "",
) -> bytes:
    """Render one template per context (each ~10 pages), merge them, number the pages throughout.

    Only one chunk's layout is in memory at a time. Each context should carry
    the same ``landscape`` flag; the page numbers are stamped onto the merged
    pages from a small second document of the same page size. Documents whose
    pages are handed out one by one (a page per student) pass
    ``page_numbers=False``. ``on_chunk`` gets the number of pages made so far
    after each chunk (a job's progress).
    """
    writer = PdfWriter()
    for context in contexts:
        append_html(writer, render_to_string(template_name, {**context, "page_numbers_css": ""}))
        if on_chunk is not None:
            on_chunk(len(writer.pages))
    if page_numbers:
        stamp_pages(writer, label)
    return pdf_bytes(writer)


def append_html(writer: PdfWriter, html: str) -> int:
    """Lay ``html`` out and append its pages to ``writer``; returns how many it made."""
    before = len(writer.pages)
    writer.append(PdfReader(io.BytesIO(_html_to_pdf(html))))
    return len(writer.pages) - before


def pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_pages(writer: PdfWriter, label: str = "") -> None:
    """Stamp every page with its number «``label``» (``%(page)s``, ``%(pages)s``; «стр. N из M» by default):
    one small document of the same page sizes (portrait and landscape mixed), merged onto the pages."""
    total = len(writer.pages)
    if not total:
        return
    label = label or _("p. %(page)s of %(pages)s")
    sizes: dict[tuple[str, str], int] = {}
    pages = []
    for number, page in enumerate(writer.pages, start=1):
        box = page.mediabox
        # Formatted here: the template would localise a float to «595,28».
        size = (f"{float(box.width):.2f}", f"{float(box.height):.2f}")
        pages.append({"label": label % {"page": number, "pages": total}, "size": sizes.setdefault(size, len(sizes))})
    numbers_html = render_to_string(PAGE_NUMBERS_TEMPLATE, {"pages": pages, "sizes": list(sizes)})
    numbers = PdfReader(io.BytesIO(_html_to_pdf(numbers_html)))
    for page, stamp in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(stamp)
        # Merging leaves the page's content uncompressed (ten times the size of a dense table).
        page.compress_content_streams()


def chunks(rows: list[Any], size: int) -> list[list[Any]]:
    """``rows`` cut into consecutive lists of ``size`` (at least one list, possibly empty)."""
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]


def page_count(data: bytes) -> int:
    """How many pages a PDF has."""
    return len(PdfReader(io.BytesIO(data)).pages)


def merge_pdfs(parts: Iterable[bytes]) -> bytes:
    """The PDFs one after the other, as one document (no page numbers stamped)."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
