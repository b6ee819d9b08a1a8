"""PDF rendering: Cyrillic text, page numbers, chunks, and a fetcher that serves only our static files."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import weasyprint
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.utils import translation

from core.pdf import (
    BASE_URL,
    RefusedURLError,
    StaticOnlyFetcher,
    html_document,
    html_pdfs,
    page_count,
    render_pdf,
    render_pdf_chunks,
    weighed_chunks,
)
from reports.document import Cell, Report, Section, Signature, Table, head, number, text


def pdf_text(data: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it."""
    assert data.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def pdf_templates(tmp_path: Path, settings) -> Path:
    """A template folder searched before the project's, for documents made up by the tests."""
    folder = tmp_path / "templates"
    (folder / "t").mkdir(parents=True)
    settings.TEMPLATES = [
        {**django_settings.TEMPLATES[0], "DIRS": [folder, *django_settings.TEMPLATES[0]["DIRS"]]},
    ]
    return folder


def write_template(folder: Path, name: str, body: str) -> str:
    (folder / "t" / name).write_text(
        '{% extends "reports/pdf/base.html" %}{% block content %}' + body + "{% endblock %}", encoding="utf-8"
    )
    return f"t/{name}"


class _CountingHandler(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 — the name http.server calls
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request it gets."""
    handler = type("Handler", (_CountingHandler,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.requests
    finally:
        server.shutdown()
        server.server_close()


def test_cyrillic_text_renders_in_the_pdf(pdf_templates: Path) -> None:
    name = write_template(pdf_templates, "hello.html", "<h1>Журнал замещения уроков</h1><p>Иванова Анна Петровна</p>")

    text = pdf_text(render_pdf(name, {}))

    assert "Журнал замещения уроков" in text
    assert "Иванова Анна Петровна" in text


def test_pdf_pages_are_numbered_page_of_pages(pdf_templates: Path) -> None:
    rows = "".join(f"<p>Строка {i}</p>" for i in range(150))
    name = write_template(pdf_templates, "long.html", rows)

    with translation.override("en"):
        text = pdf_text(render_pdf(name, {}))

    pages = text.split("\f")
    assert "p. 1 of " in pages[0]
    total = len([p for p in pages if p.strip()])
    assert total >= 2
    assert f"p. {total} of {total}" in text


def test_landscape_option_turns_the_page(pdf_templates: Path) -> None:
    name = write_template(pdf_templates, "wide.html", "<p>Таблица</p>")

    portrait = subprocess.run(["pdfinfo", "-"], input=render_pdf(name, {}), capture_output=True, check=True)
    landscape = subprocess.run(
        ["pdfinfo", "-"], input=render_pdf(name, {"landscape": True}), capture_output=True, check=True
    )

    assert b"595.276 x 841.89" in portrait.stdout
    assert b"841.89 x 595.276" in landscape.stdout


def test_chunks_are_merged_in_order_and_numbered_throughout(pdf_templates: Path) -> None:
    name = write_template(pdf_templates, "chunk.html", "<p>Часть {{ part }}</p>")

    with translation.override("en"):
        data = render_pdf_chunks(name, [{"part": "первая"}, {"part": "вторая"}, {"part": "третья"}])
    pages = pdf_text(data).split("\f")

    assert "Часть первая" in pages[0]
    assert "Часть вторая" in pages[1]
    assert "Часть третья" in pages[2]
    assert [f"p. {n} of 3" in pages[n - 1] for n in (1, 2, 3)] == [True, True, True]


def test_chunks_laid_out_by_two_processes_keep_their_order_and_numbers(pdf_templates: Path) -> None:
    """A long document's chunks are laid out in parallel; the reader still gets them in order, numbered."""
    name = write_template(pdf_templates, "parallel.html", "<p>Часть {{ part }}</p>")
    parts = ["первая", "вторая", "третья", "четвёртая", "пятая", "шестая", "седьмая"]
    made: list[int] = []

    with translation.override("en"):
        data = render_pdf_chunks(name, [{"part": p} for p in parts], on_chunk=made.append, processes=2)
    pages = pdf_text(data).split("\f")

    assert [f"Часть {part}" in pages[n] for n, part in enumerate(parts)] == [True] * len(parts)
    assert [f"p. {n} of {len(parts)}" in pages[n - 1] for n in range(1, len(parts) + 1)] == [True] * len(parts)
    assert made == list(range(1, len(parts) + 1))


def test_parallel_and_inline_layouts_give_the_same_pages() -> None:
    """The pool lays out the same pages as one process does: the same text, one document after another."""
    htmls = [f"<html><body><p>Лист {n}</p>{'<p>строка</p>' * 80 * n}</body></html>" for n in range(1, 5)]

    inline = [pdf_text(data) for data in html_pdfs(htmls, processes=1)]
    parallel = [pdf_text(data) for data in html_pdfs(iter(htmls), processes=2)]

    assert parallel == inline
    assert [text.count("\f") for text in parallel] == [page_count(d) for d in html_pdfs(htmls, processes=1)]


def test_weighed_chunks_are_even_and_keep_the_order() -> None:
    """Light sections (a first grade's, without marks) share a chunk; a heavy one stands alone."""
    weights = [1, 1, 1, 1, 9, 3, 3, 3, 12, 2]

    parts = weighed_chunks(list(range(len(weights))), lambda i: weights[i], 6)

    assert parts == [[0, 1, 2, 3], [4], [5, 6], [7], [8], [9]]
    assert weighed_chunks([], lambda i: 1, 6) == [[]]


def _first_page_png(data: bytes, folder: Path, name: str) -> bytes:
    (folder / f"{name}.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", folder / f"{name}.pdf", folder / name], check=True
    )
    return next(folder.glob(f"{name}*.png")).read_bytes()


def test_the_print_stylesheet_lays_out_the_report_page_as_weasyprints_own(tmp_path: Path) -> None:
    """The cheap user-agent stylesheet changes nothing on the paper: a report page with heading, a header
    over sub-columns, marks, a bad mark, the foot's sums and the signatures is the same picture."""
    marks = [["5", "4", "", "2"], ["3", "", "4", "5"], ["4", "4", "4", ""]] * 6
    body = [
        [number(n), text(f"Ученик {n}", "name"), *[Cell(m, m, "mark bad" if m == "2" else "mark") for m in row]]
        for n, row in enumerate(marks, start=1)
    ]
    table = Table(
        head=[[head("№", rows=2), head("Обучающийся", rows=2), head("Математика", span=4)], [head(q) for q in "1234"]],
        body=body,
        foot=[[text("Итого", span=2), number(18), number(12), number(12), number(12)]],
    )
    report = Report(
        title="Сводная ведомость",
        lines=["Гимназия № 1", "1 четверть"],
        sections=[Section(heading="5А", tables=[table])],
        filename="sheet",
        landscape=True,
        signatures=[Signature("Директор", "Иванова А. П.")],
    )
    html = render_to_string(
        "reports/pdf/report.html",
        {"report": report, "sections": report.sections, "first": True, "last": True, "landscape": True},
    )
    fetcher = StaticOnlyFetcher()

    weasyprints = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    ours = html_document(html).write_pdf()

    assert "Иванова А. П." in pdf_text(ours)
    assert _first_page_png(ours, tmp_path, "ours") == _first_page_png(weasyprints, tmp_path, "weasyprint")


def test_the_print_stylesheet_keeps_list_markers() -> None:
    data = html_document("<html><body><ul><li>Первый пункт</li></ul><ol><li>Второй</li></ol></body></html>")

    text = pdf_text(data.write_pdf())

    assert "• Первый пункт" in text
    assert "1. Второй" in text


def test_external_image_and_stylesheet_are_not_fetched(pdf_templates: Path, http_server: tuple[str, list[str]]) -> None:
    base, requests = http_server
    name = write_template(
        pdf_templates,
        "external.html",
        f'<link rel="stylesheet" href="{base}/style.css"><img src="{base}/tracker.png" alt="">'
        f'<p style="background: url({base}/bg.png)">Текст остаётся</p>',
    )

    text = pdf_text(render_pdf(name, {}))

    assert "Текст остаётся" in text
    assert requests == []


def test_fetcher_refuses_anything_but_our_static_files() -> None:
    fetcher = StaticOnlyFetcher()

    for url in (
        "http://example.org/logo.png",
        "file:///etc/passwd",
        "data:text/plain,hello",
        f"{BASE_URL}media/secret.pdf",
        f"{BASE_URL}static/../config/settings.py",
        f"{BASE_URL}static/%2e%2e/config/settings.py",
        "https://pdf.invalid.example.org/static/css/app.css",
    ):
        with pytest.raises(RefusedURLError):
            fetcher.fetch(url)


def test_fetcher_serves_a_static_file_from_the_finders() -> None:
    response = StaticOnlyFetcher().fetch(f"{BASE_URL}static/css/app.css")

    assert response.read() == (Path(django_settings.BASE_DIR) / "static" / "css" / "app.css").read_bytes()
    assert response.content_type == "text/css"
