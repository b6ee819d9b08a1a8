"""Homework of a lesson: text, due date and files; files are served only through a permission check.

Writing (and clearing, after a confirmation): the course's teacher or the lesson's substitute
(``get_lesson_for_user(write=True)``).
Downloading: whoever on the staff reads the lesson; parents and students do not reach the
staff pages (§3.12) — their diary comes later.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import deny_unless, staff_required
from core.messages import flash_errors
from core.responses import stored_file_response
from journal.access import LessonAccess, get_lesson_for_user, lesson_access
from journal.forms.homework import ClearForm, HomeworkForm
from journal.models import Homework, HomeworkFile
from journal.services.conflicts import StaleEdit
from journal.services.homework import homework_clear, homework_file_delete, homework_save
from journal.views.lessons import lesson_page_context


def _writable_lesson(request: HttpRequest, lesson_id: int) -> LessonAccess:
    access = lesson_access(request.user, request.school, lesson_id)
    deny_unless(access.writes)
    return access


def _refused(request: HttpRequest, access: LessonAccess, error: ValidationError, status: int) -> HttpResponse:
    flash_errors(request, error)
    return render(request, "journal/lesson_detail.html", lesson_page_context(access), status=status)


@staff_required
@require_POST
def homework_save_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    access = _writable_lesson(request, lesson_id)
    lesson = access.lesson
    form = HomeworkForm(request.POST)
    if not form.is_valid():
        errors = [f"{form.fields[name].label}: {msg}" for name, msgs in form.errors.items() for msg in msgs]
        return _refused(request, access, ValidationError(errors), 400)
    try:
        homework_save(
            actor=request.user,
            lesson=lesson,
            text=form.cleaned_data["text"],
            due_date=form.cleaned_data["due_date"],
            expected_version=form.cleaned_data["version"],
            uploads=request.FILES.getlist("files"),
        )
    except StaleEdit as error:
        return _refused(request, access, error, 409)
    except ValidationError as error:
        return _refused(request, access, error, 400)
    messages.success(request, _("The homework has been saved."))
    return redirect(reverse("journal:lesson_detail", args=[lesson.pk]))


@staff_required
@require_http_methods(["GET", "POST"])
def homework_clear_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """GET asks to confirm (a mis-tap on a phone removes nothing), POST removes the homework and its files."""
    access = _writable_lesson(request, lesson_id)
    lesson = access.lesson
    homework = Homework.objects.filter(lesson=lesson).prefetch_related("files").first()
    if homework is None:
        raise Http404("The lesson has no homework")
    if request.method == "GET":
        return render(request, "journal/homework/clear.html", {"lesson": lesson, "homework": homework})
    form = ClearForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, ValidationError(_("Open the lesson again and confirm the deletion.")), 400)
    try:
        homework_clear(actor=request.user, homework=homework, expected_version=form.cleaned_data["version"])
    except StaleEdit as error:
        return _refused(request, access, error, 409)
    except ValidationError as error:
        return _refused(request, access, error, 400)
    messages.success(request, _("The homework has been deleted."))
    return redirect(reverse("journal:lesson_detail", args=[lesson.pk]))


def _file_for_user(request: HttpRequest, file_id: int, *, write: bool = False) -> HomeworkFile:
    row = HomeworkFile.objects.filter(pk=file_id).select_related("homework").first()
    if row is None:
        raise Http404("No such file")
    get_lesson_for_user(request.user, request.school, row.homework.lesson_id, write=write)
    return row


@staff_required
@require_GET
def homework_file_download(request: HttpRequest, file_id: int) -> HttpResponseBase:
    row = _file_for_user(request, file_id)
    return stored_file_response(row.file, row.original_name, row.content_type)


@staff_required
@require_POST
def homework_file_delete_view(request: HttpRequest, file_id: int) -> HttpResponse:
    row = _file_for_user(request, file_id, write=True)
    lesson_id = row.homework.lesson_id
    try:
        homework_file_delete(actor=request.user, file=row)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The file «%(name)s» has been removed.") % {"name": row.original_name})
    return redirect(reverse("journal:lesson_detail", args=[lesson_id]))
