"""The demo school's generated documents: the last finished week's paper printouts, as the class teachers
find them, and the deputy's whole-school reports of the last finished quarter.

Made by :func:`demo_documents`: last in :meth:`demo.builder.DemoSchoolBuilder.build`, in the seed's
transaction, or after it (``seed_demo --documents later``, then ``seed_demo --documents only``: the
zero-setup run serves the login page while they are made, as a worker would make them).
The demo families already carry the printout flag (``ParentLink.wants_paper_printout``, ≈ 10 % of the
families: those without consent to the electronic diary and a few more). The documents are made in
the process by the same service the worker runs, so the seed needs no worker and ends with them done.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from accounts.models import User
from journal.models import AcademicYear, ClassGroup, PeriodKind, School, StudyPeriod
from reports.builders import ReportParams
from reports.kinds import KINDS
from reports.models import DocumentKind, GeneratedDocument
from reports.selectors.weekly_printout import classes_with_printouts, week_bounds
from reports.services.bound import bound_request
from reports.services.documents import DocumentError, document_run
from reports.services.printouts import weekly_printout_request
from reports.services.reports import report_request


def last_finished_week(today: datetime.date) -> datetime.date:
    """The Monday of the latest Monday–Sunday week that ended before ``today``."""
    return week_bounds(today)[0] - datetime.timedelta(days=7)


def demo_printouts(school: School, today: datetime.date, step: Callable[[str], None] | None = None) -> tuple[int, int]:
    """Make the last finished week's printout of every class with printout students; (documents, pages)."""
    monday = last_finished_week(today)
    documents = pages = 0
    for class_group in classes_with_printouts(school, monday):
        if monday + datetime.timedelta(days=6) < class_group.year.start:
            continue
        document = weekly_printout_request(actor=None, class_group=class_group, week=monday, enqueue=False)
        done = document_run(document_id=document.pk)
        if done is not None:
            documents += 1
            pages += done.progress_total
    if step is not None:
        step(f"weekly paper printouts ({documents} classes, {pages} pages)")
    return documents, pages


def demo_reports(school: School, today: datetime.date, deputy: User, step: Callable[[str], None] | None = None) -> int:
    """The deputy's whole-school reports of the last finished period, made as the worker makes them: the
    results by subject as a PDF and the summary sheet of results as a workbook (how many were made)."""
    year = AcademicYear.objects.get(school=school, is_current=True)
    finished = StudyPeriod.objects.filter(year=year, kind=PeriodKind.QUARTER, end__lt=today).order_by("-end").first()
    if finished is None:
        return 0
    made = 0
    for code, fmt in (("results", "pdf"), ("results-sheet", "xlsx")):
        params = ReportParams(school=school, year=year, period=finished)
        document = report_request(actor=deputy, school=school, kind=KINDS[code], params=params, fmt=fmt, enqueue=False)
        if document_run(document_id=document.pk) is not None:
            made += 1
    if step is not None:
        step(f"whole-school reports of {finished} ({made})")
    return made


def demo_bound_journal(
    school: School, today: datetime.date, deputy: User, step: Callable[[str], None] | None = None
) -> int:
    """The journal of final marks for binding of the class teacher's class (5А) as the deputy made it, with
    its printed copy registered (the check page finds its fingerprint); the sheets it has. Before the grade's
    last period is over it cannot be made yet: none (0)."""
    year = AcademicYear.objects.get(school=school, is_current=True)
    class_group = ClassGroup.objects.filter(year=year, grade=5, letter="А").first()
    if class_group is None:
        return 0
    try:
        document = bound_request(
            actor=deputy, year=year, kind=DocumentKind.BOUND_JOURNAL, class_group=class_group, enqueue=False
        )
    except DocumentError as refused:  # the year's marks do not exist yet (§7.4): made at the year's end
        if step is not None:
            step(f"journal of final marks of {class_group}: not yet ({refused})")
        return 0
    done = document_run(document_id=document.pk)
    sheets = int(done.findings[0]["sheets"]) if done is not None and done.findings else 0
    if step is not None:
        step(f"journal of final marks of {class_group} for binding ({sheets} sheets)")
    return sheets


def demo_documents(
    school: School, today: datetime.date, deputy: User, step: Callable[[str], None] | None = None
) -> None:
    """Every generated document of the demo school: the week's printouts, the deputy's reports, 5А's
    journal for binding."""
    demo_printouts(school, today, step=step)
    demo_reports(school, today, deputy, step=step)
    demo_bound_journal(school, today, deputy, step=step)


def demo_documents_made(school: School) -> bool:
    return GeneratedDocument.objects.filter(school=school).exists()
