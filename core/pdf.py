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

The chunks of one document are laid out in parallel (:func:`html_pdfs`): the
templates are rendered here, in the process that holds the data, and the HTML
strings go to a pool of forked processes, one a core (``PDF_PROCESSES``), which
run WeasyPrint only — no database, no templates. A document of one chunk, a
machine of one core, or a system without ``fork`` renders them in turn, inline;
so does the rest of a document whose pool broke.
"""

from __future__ import annotations

import ctypes
import io
import logging
import mimetypes
import multiprocessing
import os
import posixpath
import re
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
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

logger = logging.getLogger(__name__)

T = TypeVar("T")


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


def print_ua_stylesheet_text(full: str) -> str:
    """WeasyPrint's user-agent stylesheet (``full``) without its rules for every element's pseudo-elements.

    ``::marker``, ``::footnote-call`` and the like select every element: the
    cascade then computes six pseudo-element styles for each table cell, most
    of the time spent styling a dense table. Our documents have no footnotes
    or notes; the markers are kept for list items, where they apply.
    """
    lines = []
    for line in full.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("::marker"):
            lines.append(line.replace("::marker", "li::marker", 1))
        elif not stripped.startswith("::"):
            lines.append(line)
    return "\n".join(lines)


class PrintHTML(weasyprint.HTML):
    """An HTML document styled by the print user-agent stylesheet (:func:`print_ua_stylesheet_text`),
    parsed once a process and shared by every document and chunk."""

    _ua: weasyprint.CSS | None = None

    def _ua_stylesheets(self, forms: bool = False) -> list[weasyprint.CSS]:
        if forms:  # not in our documents; WeasyPrint's own then
            return super()._ua_stylesheets(forms)  # type: ignore[no-any-return]
        if PrintHTML._ua is None:
            from weasyprint.css.counters import CounterStyle
            from weasyprint.html import UA

            PrintHTML._ua = weasyprint.CSS(string=print_ua_stylesheet_text(UA), counter_style=CounterStyle())
        return [PrintHTML._ua]


def html_document(html: str, font_config: FontConfiguration | None = None) -> weasyprint.Document:
    """``html`` laid out in pages (a WeasyPrint document), fetching only our static files."""
    return PrintHTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render(font_config=font_config)


def documents_pdf(parts: list[list[weasyprint.Page]], first: weasyprint.Document) -> bytes:
    """The pages of documents laid out with one font configuration, as one PDF (``first`` gives the metadata)."""
    return first.copy([page for pages in parts for page in pages]).write_pdf()


def render_pdf(template_name: str, context: Mapping[str, Any], *, page_numbers: bool = True) -> bytes:
    """Render a template extending ``reports/pdf/base.html`` to PDF bytes (page numbers by CSS)."""
    html = render_to_string(template_name, {**context, "page_numbers_css": page_number_css() if page_numbers else ""})
    return _html_to_pdf(html)


def pdf_processes() -> int:
    """How many processes lay out the chunks of one document: ``PDF_PROCESSES``, by default the cores this
    process may run on; 1 lays them out in turn, inline."""
    configured = int(getattr(settings, "PDF_PROCESSES", 0) or 0)
    if configured > 0:
        return configured
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _fork_pool(processes: int) -> ProcessPoolExecutor | None:
    """A pool of ``processes`` forked processes, or None where there is no ``fork``."""
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"), initializer=_pool_child)


def _pool_child() -> None:
    """In a layout process: die with the process that forked it (a worker killed at its time limit leaves
    nothing behind; Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still ends it
        pass


_PR_SET_PDEATHSIG = 1


@contextmanager
def _children_allowed() -> Iterator[None]:
    """Let a daemonic process (a Celery prefork worker's) start the pool's processes: multiprocessing
    refuses daemons children because nothing would end them with it; ``_pool_child`` and the pool's
    ``with`` do."""
    config = getattr(multiprocessing.current_process(), "_config", {})
    daemon = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        if daemon is None:
            config.pop("daemon", None)
        else:
            config["daemon"] = daemon


def html_pdfs(htmls: Iterable[str], *, processes: int | None = None) -> Iterator[bytes]:
    """Each HTML document as PDF bytes, in order, laid out by up to ``processes`` processes at once
    (:func:`pdf_processes` by default).

    ``htmls`` is consumed a few documents ahead of the one handed back, so
    neither the HTML nor the PDFs of a long document pile up in memory. If
    the pool cannot be had or breaks (a child killed), the rest is laid out
    here, inline; an error in a document's layout is raised here as it
    would be inline.
    """
    wanted = pdf_processes() if processes is None else max(1, processes)
    source = iter(htmls)
    first = next(source, None)
    if first is None:
        return
    second = next(source, None)
    if second is None:
        yield _html_to_pdf(first)
        return
    pending: deque[tuple[str, Future[bytes] | None]] = deque()
    try:
        pool = _fork_pool(wanted)
    except (OSError, ValueError, AssertionError):  # no processes to be had: inline
        logger.warning("No process pool for the PDF chunks; laying them out inline", exc_info=True)
        pool = None
    if pool is None:
        yield _html_to_pdf(first)
        yield _html_to_pdf(second)
        for html in source:
            yield _html_to_pdf(html)
        return

    def submit(html: str) -> None:
        pending.append((html, pool.submit(_html_to_pdf, html) if pool is not None else None))

    with pool:
        # A forking pool starts all its processes at the first submit.
        try:
            with _children_allowed():
                submit(first)
        except (OSError, AssertionError, BrokenProcessPool):  # the processes could not be started
            logger.warning("No process pool for the PDF chunks; laying them out inline", exc_info=True)
            pool = None
            pending.append((first, None))
        submit(second)
        ahead = wanted * 2
        while pending:
            while len(pending) < ahead and (more := next(source, None)) is not None:
                submit(more)
            html, future = pending.popleft()
            if future is None:
                yield _html_to_pdf(html)
                continue
            try:
                yield future.result()
            except BrokenProcessPool:
                logger.warning("The PDF process pool broke; laying out the rest inline", exc_info=True)
                if pool is not None:
                    pool.shutdown(wait=False, cancel_futures=True)
                pool = None
                yield _html_to_pdf(html)
                pending = deque((h, None) for h, _f in pending)


def render_pdf_chunks(
    template_name: str,
    contexts: Iterable[Mapping[str, Any]],
    *,
    page_numbers: bool = True,
    on_chunk: Callable[[int], None] | None = None,
    label: str = "",
    processes: int | None = None,
) -> bytes:
    """Render one template per context (each ~10 pages), merge them, number the pages throughout.

    The chunks are laid out in parallel by ``processes`` processes
    (:func:`html_pdfs`), each holding one chunk's layout at a time. Each
    context should carry the same ``landscape`` flag; the page numbers are
    stamped onto the merged pages from a small second document of the same
    page size. Documents whose pages are handed out one by one (a page per
    student) pass ``page_numbers=False``. ``on_chunk`` gets the number of
    pages made so far after each chunk (a job's progress).
    """
    writer = PdfWriter()
    htmls = (render_to_string(template_name, {**context, "page_numbers_css": ""}) for context in contexts)
    for data in html_pdfs(htmls, processes=processes):
        writer.append(PdfReader(io.BytesIO(data)))
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
    a small document of the same page sizes (portrait and landscape mixed), laid out in parts by the
    processes at once and merged onto the pages."""
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
    # In as many parts as processes, laid out at once.
    share = -(-total // pdf_processes())
    htmls = (
        render_to_string(PAGE_NUMBERS_TEMPLATE, {"pages": part, "sizes": list(sizes)}) for part in chunks(pages, share)
    )
    stamps = (stamp for data in html_pdfs(htmls) for stamp in PdfReader(io.BytesIO(data)).pages)
    for page, stamp in zip(writer.pages, stamps, strict=True):
        page.merge_page(stamp)
        # Merging leaves the page's content uncompressed (ten times the size of a dense table).
        page.compress_content_streams()


def chunks(rows: list[Any], size: int) -> list[list[Any]]:
    """``rows`` cut into consecutive lists of ``size`` (at least one list, possibly empty)."""
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]


def weighed_chunks(items: list[T], weight: Callable[[T], int], limit: int) -> list[list[T]]:
    """``items`` cut into consecutive lists weighing about ``limit`` each (an item heavier than that alone):
    chunks of even size keep every process of the pool busy to the end (at least one list, possibly empty)."""
    parts: list[list[T]] = [[]]
    load = 0
    for item in items:
        heft = weight(item)
        if parts[-1] and load + heft > limit:
            parts.append([])
            load = 0
        parts[-1].append(item)
        load += heft
    return parts


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
