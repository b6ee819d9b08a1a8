"""Reports of the whole school made in the background: the request (one generated document a kind,
parameters and format) and the build the worker runs, with the progress counted in classes."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from accounts.models import User
from core.responses import XLSX_TYPE
from journal.models import School
from reports.builders import ReportParams
from reports.forms import params_from_json, params_to_json
from reports.kinds import KINDS, ReportKind
from reports.models import DocumentKind, GeneratedDocument
from reports.render import report_pdf, report_xlsx
from reports.services.documents import DocumentError, DocumentOutput, Progress, document_request

FORMATS = ("pdf", "xlsx")


def report_request(
    *, actor: User, school: School, kind: ReportKind, params: ReportParams, fmt: str, enqueue: bool = True
) -> GeneratedDocument:
    """Queue the report as a document (asking again for the same one gives the same row); ``enqueue``
    False leaves the run to the caller (the demo seed runs it in the process)."""
    if fmt not in FORMATS:
        raise DocumentError(_("Choose PDF or Excel."))
    parameters = {"report": kind.code, "format": fmt, **params_to_json(params)}
    return document_request(
        actor=actor,
        school=school,
        kind=DocumentKind.REPORT,
        parameters=parameters,
        class_group=params.class_group,
        enqueue=enqueue,
    )


def report_document_build(document: GeneratedDocument, progress: Progress) -> DocumentOutput:
    """Build the report of the document's parameters and write it in its format; the progress counts the
    classes done, and one step more for the file."""
    parameters = document.parameters
    kind = KINDS.get(str(parameters.get("report")))
    if kind is None:
        raise DocumentError(_("Documents of this kind cannot be made."))
    try:
        params = params_from_json(document.school, parameters)
    except (KeyError, ValueError, ObjectDoesNotExist) as error:
        raise DocumentError(_("The report's class, year or period no longer exists.")) from error
    steps = {"total": 1}

    def told(done: int, total: int) -> None:
        steps["total"] = total + 1
        progress(done, total + 1)

    report = kind.make(params, told, actor=document.requested_by)
    if parameters.get("format") == "xlsx":
        content, suffix, content_type = report_xlsx(report), "xlsx", XLSX_TYPE
    else:
        content, suffix, content_type = report_pdf(report), "pdf", "application/pdf"
    progress(steps["total"], steps["total"])
    return DocumentOutput(content=content, filename=f"{report.filename}.{suffix}", content_type=content_type)
