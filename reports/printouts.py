"""The weekly printout rendered to PDF: one A4 page per student, through ``core/pdf.py``, in chunks.

A page must stay one sheet. Topic, homework and remarks are cut to what fits a full week at the
first level; a chunk whose page count differs from its number of students is rendered again student
by student, each at the first level at which their page fits, the last level giving every lesson a
single line (a week of up to ~60 lessons then fits).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.pdf import chunks, html_pdfs, merge_pdfs, page_count, render_pdf
from journal.models import ClassGroup, Student
from reports.selectors.weekly_printout import StudentPage, WeeklyPrintout, week_short_label

TEMPLATE = "reports/pdf/weekly_printout.html"
# One page per student; ten pages a WeasyPrint layout keeps the memory low (DESIGN.md, "Stack")
# and gives a long class document a few steps of progress.
PAGES_PER_CHUNK = 10
# How far the texts are cut (characters); "dense": one line a lesson, marks without remarks.
FIT_LEVELS: tuple[dict[str, Any], ...] = (
    {"level": 0, "topic": 90, "homework": 150, "comment": 80, "dense": False},
    {"level": 1, "topic": 45, "homework": 60, "comment": 30, "dense": False},
    {"level": 2, "topic": 40, "homework": 60, "comment": 0, "dense": True},
)


def _render(printout: WeeklyPrintout, pages: list[StudentPage], fit: dict[str, Any]) -> bytes:
    return render_pdf(TEMPLATE, {"printout": printout, "pages": pages, "fit": fit}, page_numbers=False)


def _fitted(printout: WeeklyPrintout, page: StudentPage) -> bytes:
    """One student's page at the first level at which it is one sheet."""
    for fit in FIT_LEVELS[1:]:
        data = _render(printout, [page], fit)
        if page_count(data) == 1:
            return data
    return data


def _parts(printout: WeeklyPrintout, on_pages: Callable[[int], None] | None) -> Iterator[bytes]:
    """The chunks at the first level, laid out in parallel (``html_pdfs``); a chunk that is not one sheet a
    student is made again here, student by student."""
    done = 0
    parts = chunks(printout.pages, PAGES_PER_CHUNK)
    htmls = (
        render_to_string(TEMPLATE, {"printout": printout, "pages": part, "fit": FIT_LEVELS[0], "page_numbers_css": ""})
        for part in parts
    )
    for part, data in zip(parts, html_pdfs(htmls), strict=True):
        if page_count(data) == len(part):
            yield data
        else:
            for page in part:
                single = _render(printout, [page], FIT_LEVELS[0])
                yield single if page_count(single) == 1 else _fitted(printout, page)
        done += len(part)
        if on_pages is not None:
            on_pages(done)


def render_printout(printout: WeeklyPrintout, *, on_pages: Callable[[int], None] | None = None) -> bytes:
    """The PDF of the printout, one A4 page per student; ``on_pages`` gets the pages made so far.

    No page numbers: each page is handed to a different family.
    """
    return merge_pdfs(_parts(printout, on_pages))


def class_printout_filename(class_group: ClassGroup, monday: datetime.date) -> str:
    return _("Weekly printout %(class)s %(week)s.pdf") % {"class": class_group, "week": week_short_label(monday)}


def student_printout_filename(student: Student, monday: datetime.date) -> str:
    return _("Diary %(student)s %(week)s.pdf") % {"student": student.short_name, "week": week_short_label(monday)}
