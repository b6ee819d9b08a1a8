"""The reports: the list of those the user may ask for, a report's page (parameters, the report, its PDF
and Excel), and the whole school's made in the background."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import deny_unless, staff_required
from core.messages import flash_errors
from core.params import int_param
from core.responses import pdf_response, xlsx_response
from journal import rules
from reports.access import get_report_kind_for_user, report_classes_for
from reports.forms import ReportForm
from reports.kinds import KINDS, ReportKind
from reports.render import report_pdf, report_xlsx
from reports.services.documents import DocumentError
from reports.services.reports import FORMATS, report_request
from reports.views.documents import flash_requested


def _form(request: HttpRequest, kind: ReportKind, data: object) -> ReportForm:
    """The parameters' form; a class outside the user's scope is a 404 (not a form error)."""
    classes = report_classes_for(request.user, request.school)
    wanted = data.get("class_group") if data else None  # type: ignore[attr-defined]
    if wanted and (not str(wanted).isdigit() or not classes.filter(pk=wanted).exists()):
        raise Http404("No such class in your scope")
    return ReportForm.with_defaults(
        data,
        kind=kind,
        school=request.school,
        classes=classes,
        whole_school=rules.reads_school_reports(request.user),
    )


def _in_request(kind: ReportKind, form: ReportForm) -> bool:
    return form.cleaned_data.get("class_group") is not None or kind.school_in_request


@staff_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    """The reports the user may ask for; ``?class_group=`` (from a class's page) or a class teacher's only
    class is chosen in each of them."""
    deny_unless(rules.reads_reports(request.user, request.school))
    classes = report_classes_for(request.user, request.school).filter(year__is_current=True)
    wanted = int_param(request, "class_group")
    chosen = next((c for c in classes if c.pk == wanted), None) if wanted else None
    whole_school = rules.reads_school_reports(request.user)
    if chosen is None and not whole_school and len(classes) == 1:
        chosen = classes[0]
    return render(
        request,
        "reports/report_index.html",
        {"kinds": KINDS.values(), "chosen": chosen, "whole_school": whole_school, "classes": classes},
    )


@staff_required
@require_GET
def report_page(request: HttpRequest, code: str) -> HttpResponse:
    """The parameters and, once asked for, the report itself (one class, or a school table), with links
    to the same report as PDF and Excel; the whole school's is offered as a document made in the
    background."""
    kind = get_report_kind_for_user(request.user, request.school, code)
    form = _form(request, kind, request.GET)
    report = None
    background = False
    if form.is_valid():
        if _in_request(kind, form):
            report = kind.make(form.params(), actor=request.user)
        else:
            background = True
    return render(
        request,
        "reports/report_page.html",
        {
            "kind": kind,
            "form": form,
            "report": report,
            "background": background,
            "query": request.GET.urlencode(),
        },
    )


@staff_required
@require_GET
def report_file(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The report of the query's parameters as a PDF or a workbook, made in the request (one class)."""
    kind = get_report_kind_for_user(request.user, request.school, code)
    if fmt not in FORMATS:
        raise Http404("No such format")
    form = _form(request, kind, request.GET)
    if not form.is_valid() or not _in_request(kind, form):
        flash_errors(request, form)
        return redirect(f"{reverse('reports:report_page', args=[code])}?{request.GET.urlencode()}")
    report = kind.make(form.params(), actor=request.user)
    if fmt == "pdf":
        return pdf_response(report_pdf(report), f"{report.filename}.pdf")
    return xlsx_response(report_xlsx(report), f"{report.filename}.xlsx")


@staff_required
@require_POST
def report_make(request: HttpRequest, code: str) -> HttpResponse:
    """Queue the whole school's report as a PDF or a workbook; its page shows the progress."""
    kind = get_report_kind_for_user(request.user, request.school, code)
    form = _form(request, kind, request.POST)
    fmt = request.POST.get("format", "")
    if not form.is_valid():
        flash_errors(request, form)
        return redirect(reverse("reports:report_page", args=[code]))
    try:
        document = report_request(actor=request.user, school=request.school, kind=kind, params=form.params(), fmt=fmt)
    except DocumentError as error:
        messages.error(request, str(error))
        return redirect(reverse("reports:report_page", args=[code]))
    flash_requested(
        request,
        document,
        ready=_("The report is ready."),
        making=_("The report is being made; this page shows how far it has got."),
    )
    return redirect("reports:document_status", document.pk)
