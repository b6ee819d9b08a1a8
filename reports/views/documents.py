"""The user's generated documents: the list, a document's status (polled by htmx) and the download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.responses import stored_file_response
from journal import rules
from journal.selectors.scope import classes_led_by
from reports.access import get_document_for_user
from reports.models import DocumentStatus, GeneratedDocument
from reports.selectors.documents import own_documents

# The list shows the latest ones; older documents are still downloadable by their link.
LIST_LIMIT = 100


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    led = []
    if rules.is_teacher(user):
        led = list(classes_led_by(user, request.school).filter(year__is_current=True).order_by("grade", "letter"))
    return render(
        request,
        "reports/document_list.html",
        {
            "documents": own_documents(user, request.school)[:LIST_LIMIT],
            "led_classes": led,
            "reads_reports": bool(led) or rules.reads_school_reports(user),
        },
    )


@login_required
@require_GET
def document_status(request: HttpRequest, document_id: int) -> HttpResponse:
    """The status fragment for htmx (polled every 2 s while queued or running), else a page around it."""
    document = get_document_for_user(request.user, request.school, document_id)
    template = "reports/_document_status.html" if request.htmx else "reports/document_detail.html"
    return render(request, template, {"document": document})


@login_required
@require_GET
def document_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    document = get_document_for_user(request.user, request.school, document_id)
    if not document.is_done:
        raise Http404("The document is not ready")
    return stored_file_response(document.file, document.filename, document.content_type)


def flash_requested(request: HttpRequest, document: GeneratedDocument, *, ready: str, making: str) -> None:
    """Say what became of a document just asked for: ready (made at once: no broker, or the same one
    already made) or being made (the page shows its progress). Never «being made» beside a row that
    already says «ready»."""
    document.refresh_from_db(fields=["status"])
    messages.success(request, ready if document.status == DocumentStatus.DONE else making)
