"""Permission-matrix rows of the reports app's URLs (joined in tests/test_permission_matrix.py).

Documents: the one who asked, and for a class printout that class's teacher and the school's
administration; everyone else 404 (a 403 would say the document exists). The printouts page of a
class: its class teacher and the administration; a teacher who only teaches in the class 403;
parents and students 403 (staff pages, §3.12). One student's week as PDF: whoever may open the
student's card (journal.access.get_student_for_user) — the parent of another child gets 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from tests.conftest import World
from tests.matrix import KwargsFactory, Row, missing, no_kwargs, pk_of, statuses

WEEK = datetime.date(2026, 11, 30)


def _class_printout(*, done: bool) -> KwargsFactory:
    """5А's printout of the week of 30 November, asked for by its class teacher (made, or still queued)."""

    def kwargs(world: World) -> dict[str, Any]:
        from journal import models as m
        from reports.services.documents import document_run
        from reports.services.printouts import weekly_printout_request

        m.ParentLink.objects.filter(student=world.child).update(wants_paper_printout=True)
        document = weekly_printout_request(
            actor=world.users["class_teacher"], class_group=world.class_5a, week=WEEK, enqueue=False
        )
        if done:
            document_run(document_id=document.pk)
        return {"document_id": document.pk}

    kwargs.__name__ = "printout_5a_done" if done else "printout_5a_queued"
    return kwargs


def _bound_5a(world: World) -> dict[str, Any]:
    """5А's journal of final marks for binding, made for the deputy once the year's marks can exist (its one
    quarter over)."""
    from journal.models import StudyPeriod
    from reports.models import DocumentKind
    from reports.services.bound import bound_request
    from reports.services.documents import document_run

    StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=1, start=world.year.start, end=datetime.date(2026, 10, 24)
    )
    document = bound_request(
        actor=world.users["deputy"],
        year=world.year,
        kind=DocumentKind.BOUND_JOURNAL,
        class_group=world.class_5a,
        enqueue=False,
    )
    document_run(document_id=document.pk)
    return {"document_id": document.pk}


def _own_document(persona: str, school_attr: str = "school") -> KwargsFactory:
    """A queued document of no class, asked for by the persona (later report kinds look like this)."""

    def kwargs(world: World) -> dict[str, Any]:
        from reports.models import DocumentKind
        from reports.services.documents import document_request

        document = document_request(
            actor=world.users[persona],
            school=getattr(world, school_attr),
            kind=DocumentKind.WEEKLY_PRINTOUT,
            parameters={"persona": persona},
            enqueue=False,
        )
        return {"document_id": document.pk}

    kwargs.__name__ = f"document_of_{persona}"
    return kwargs


def _report(code: str, fmt: str | None = None) -> KwargsFactory:
    """A report of the kind (the year with its first quarter, the page's default period)."""

    def kwargs(world: World) -> dict[str, Any]:
        from journal import models as m

        m.StudyPeriod.objects.get_or_create(
            year=world.year,
            kind="quarter",
            number=1,
            defaults={"start": world.year.start, "end": datetime.date(2026, 10, 25)},
        )
        return {"code": code, **({"fmt": fmt} if fmt else {})}

    kwargs.__name__ = f"report_{code}_{fmt or 'page'}"
    return kwargs


# fmt: off
ROWS: list[Row] = [
    #                                                         anon tch  oth  frn  ctch par  stu  adm  dep  dir
    # The list shows only the user's own documents: open to every signed-in user.
    Row("reports:document_list", no_kwargs,          statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("reports:document_list", no_kwargs,          statuses(302, 405, 405, 405, 405, 405, 405, 405, 405, 405),
        method="post"),
    # A document's status: the one who asked, the class's teacher, the administration.
    Row("reports:document_status", _class_printout(done=False),
                                                     statuses(302, 404, 404, 404, 200, 404, 404, 200, 200, 200)),
    Row("reports:document_status", _own_document("teacher"),
                                                     statuses(302, 200, 404, 404, 404, 404, 404, 200, 200, 200)),
    Row("reports:document_status", _own_document("foreign_teacher", "foreign_school"),
                                                     statuses(302, 404, 404, 200, 404, 404, 404, 404, 404, 404)),
    Row("reports:document_status", missing("document_id"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("reports:document_status", _class_printout(done=False),
                                                     statuses(302, 405, 405, 405, 405, 405, 405, 405, 405, 405),
        method="post"),
    # The download: the same people, once the document is made (before that: 404 for all).
    Row("reports:document_download", _class_printout(done=True),
                                                     statuses(302, 404, 404, 404, 200, 404, 404, 200, 200, 200)),
    Row("reports:document_download", _class_printout(done=False),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("reports:document_download", _own_document("foreign_teacher", "foreign_school"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("reports:document_download", missing("document_id"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("reports:document_download", _class_printout(done=True),
                                                     statuses(302, 405, 405, 405, 405, 405, 405, 405, 405, 405),
        method="post"),
    # The printouts page of a class: its class teacher and the administration; an empty POST names no week (400).
    Row("reports:class_printouts", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("reports:class_printouts", pk_of("class_id", "class_6b"),
                                                     statuses(302, 404, 403, 404, 404, 403, 403, 200, 200, 200)),
    Row("reports:class_printouts", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    Row("reports:class_printouts", missing("class_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("reports:class_printouts", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 400, 403, 403, 400, 400, 400),
        method="post"),
    Row("reports:class_printouts", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404),
        method="post"),
    # One student's week as PDF: the parent, the student, the class teacher, the administration.
    Row("reports:student_week_pdf", pk_of("student_id", "child"),
                                                     statuses(302, 404, 404, 404, 200, 200, 200, 200, 200, 200)),
    Row("reports:student_week_pdf", pk_of("student_id", "other_child"),
                                                     statuses(302, 404, 404, 404, 200, 404, 404, 200, 200, 200)),
    Row("reports:student_week_pdf", pk_of("student_id", "student_6b"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 200, 200, 200)),
    Row("reports:student_week_pdf", pk_of("student_id", "foreign_student"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("reports:student_week_pdf", missing("student_id"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("reports:student_week_pdf", pk_of("student_id", "child"),
                                                     statuses(302, 405, 405, 405, 405, 405, 405, 405, 405, 405),
        method="post"),
    # Reports (§3.6): a class teacher their class's (the default), the director and the deputy every
    # class's and the whole school's; the administrator, a subject teacher, parents and students 403.
    Row("reports:report_index", no_kwargs,           statuses(302, 403, 403, 403, 200, 403, 403, 403, 200, 200)),
    Row("reports:report_index", no_kwargs,           statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405),
        method="post"),
    Row("reports:report_page", _report("results"),   statuses(302, 403, 403, 403, 200, 403, 403, 403, 200, 200)),
    Row("reports:report_page", _report("attendance-months"),
                                                     statuses(302, 403, 403, 403, 200, 403, 403, 403, 200, 200)),
    Row("reports:report_page", _report("unknown"),   statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    # The file of the default report: the class teacher's class in the request; the whole school's
    # results are made in the background (the page offers them: 302), its headcount in the request.
    Row("reports:report_file", _report("results", "pdf"),
                                                     statuses(302, 403, 403, 403, 200, 403, 403, 403, 302, 302)),
    Row("reports:report_file", _report("headcount", "xlsx"),
                                                     statuses(302, 403, 403, 403, 200, 403, 403, 403, 200, 200)),
    Row("reports:report_file", _report("results", "doc"),
                                                     statuses(302, 403, 403, 403, 404, 403, 403, 403, 404, 404)),
    # Making one in the background: POST only; without a format it is refused with a message (302).
    Row("reports:report_make", _report("results"),   statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("reports:report_make", _report("results"),   statuses(302, 403, 403, 403, 302, 403, 403, 403, 302, 302),
        method="post"),
    # The journal of final marks for binding (§7.4): the deputy and the director make and read every class's,
    # a class teacher reads their class's; the administrator, subject teachers and families 403.
    Row("reports:bound_index", no_kwargs,            statuses(302, 403, 403, 403, 200, 403, 403, 403, 200, 200)),
    Row("reports:bound_index", no_kwargs,            statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405),
        method="post"),
    # Making: POST only, the makers; a POST naming no kind is a 404 for them.
    Row("reports:bound_make", no_kwargs,             statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("reports:bound_make", no_kwargs,             statuses(302, 403, 403, 403, 403, 403, 403, 403, 404, 404),
        method="post"),
    Row("reports:bound_verify", no_kwargs,           statuses(302, 403, 403, 403, 200, 403, 403, 403, 200, 200)),
    # A class's bound journal: its class teacher and the makers; not the administrator (a report, §3.6).
    Row("reports:document_status", _bound_5a,        statuses(302, 404, 404, 404, 200, 404, 404, 404, 200, 200)),
    Row("reports:document_download", _bound_5a,      statuses(302, 404, 404, 404, 200, 404, 404, 404, 200, 200)),
]
# fmt: on
