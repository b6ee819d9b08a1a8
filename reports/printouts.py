"""The weekly printout rendered to PDF: the builder's pages through ``reports/pdf.py`` in chunks."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils.translation import gettext as _

from journal.models import ClassGroup, Student
from reports.pdf import chunks, render_pdf_chunks
from reports.selectors.weekly_printout import WeeklyPrintout, week_short_label

TEMPLATE = "reports/pdf/weekly_printout.html"
# One page per student; ten pages a WeasyPrint layout keeps the memory low (DESIGN.md, "Stack")
# and gives a long class document a few steps of progress.
PAGES_PER_CHUNK = 10


def render_printout(printout: WeeklyPrintout, *, on_pages: Callable[[int], None] | None = None) -> bytes:
    """The PDF of the printout, one A4 page per student; ``on_pages`` gets the pages made so far.

    No page numbers: each page is handed to a different family.
    """
    contexts = [{"printout": printout, "pages": part} for part in chunks(printout.pages, PAGES_PER_CHUNK)]
    return render_pdf_chunks(TEMPLATE, contexts, page_numbers=False, on_chunk=on_pages)


def class_printout_filename(class_group: ClassGroup, monday: datetime.date) -> str:
    return _("Weekly printout %(class)s %(week)s.pdf") % {"class": class_group, "week": week_short_label(monday)}


def student_printout_filename(student: Student, monday: datetime.date) -> str:
    return _("Diary %(student)s %(week)s.pdf") % {"student": student.short_name, "week": week_short_label(monday)}
