"""Homework of a lesson: text, due date and files; files are served only through a permission check.

Writing (and clearing, after a confirmation): the course's teacher or the lesson's substitute
(``get_lesson_for_user(write=True)``).
Downloading: whoever on the staff reads the lesson; parents and students do not reach the
staff pages (§3.12) — their diary comes later.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from journal.access import get_lesson_for_user
from journal.forms_lessons import DateInput
from journal.models import Homework, HomeworkFile, Lesson
from journal.services.homework import homework_file_add, homework_file_delete, homework_files_check
from journal.services.marks import StaleEdit, homework_clear, homework_set
from journal.views.pages import staff_required
from journal.views.plans import _lesson_context


class HomeworkForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Homework"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ClearForm(forms.Form):
    """The version of the homework the teacher saw on the confirmation page."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def _homework_of(lesson: Lesson) -> Homework | None:
    return Homework.objects.filter(lesson=lesson).first()


def _refused(request: HttpRequest, lesson: Lesson, error: ValidationError, status: int) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return render(request, "journal/lesson_detail.html", _lesson_context(request, lesson), status=status)


@staff_required
@require_POST
def homework_save(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = get_lesson_for_user(request.user, request.school, lesson_id, write=True)
    form = HomeworkForm(request.POST)
    if not form.is_valid():
        errors = [f"{form.fields[name].label}: {msg}" for name, msgs in form.errors.items() for msg in msgs]
        return _refused(request, lesson, ValidationError(errors), 400)
    uploads = request.FILES.getlist("files")
    try:
        # Every file is checked before anything is stored: a refused one leaves the homework as it was.
        homework_files_check(_homework_of(lesson), uploads)
        with transaction.atomic():
            homework = homework_set(
                actor=request.user,
                lesson=lesson,
                text=form.cleaned_data["text"],
                due_date=form.cleaned_data["due_date"],
                expected_version=form.cleaned_data["version"],
            )
            for upload in uploads:
                homework_file_add(actor=request.user, homework=homework, upload=upload)
    except StaleEdit as error:
        return _refused(request, lesson, error, 409)
    except ValidationError as error:
        return _refused(request, lesson, error, 400)
    messages.success(request, _("The homework has been saved."))
    return redirect(reverse("journal:lesson_detail", args=[lesson.pk]))


@staff_required
@require_http_methods(["GET", "POST"])
def homework_clear_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """GET asks to confirm (a mis-tap on a phone removes nothing), POST removes the homework and its files."""
    lesson = get_lesson_for_user(request.user, request.school, lesson_id, write=True)
    homework = Homework.objects.filter(lesson=lesson).prefetch_related("files").first()
    if homework is None:
        raise Http404("The lesson has no homework")
    if request.method == "GET":
        return render(request, "journal/homework/clear.html", {"lesson": lesson, "homework": homework})
    form = ClearForm(request.POST)
    if not form.is_valid():
        return _refused(request, lesson, ValidationError(_("Open the lesson again and confirm the deletion.")), 400)
    try:
        homework_clear(actor=request.user, homework=homework, expected_version=form.cleaned_data["version"])
    except StaleEdit as error:
        return _refused(request, lesson, error, 409)
    except ValidationError as error:
        return _refused(request, lesson, error, 400)
    messages.success(request, _("The homework has been deleted."))
    return redirect(reverse("journal:lesson_detail", args=[lesson.pk]))


def _file_for_user(request: HttpRequest, file_id: int, *, write: bool = False) -> HomeworkFile:
    row = HomeworkFile.objects.filter(pk=file_id).select_related("homework").first()
    if row is None:
        raise Http404("No such file")
    get_lesson_for_user(request.user, request.school, row.homework.lesson_id, write=write)
    return row


def homework_file_response(row: HomeworkFile) -> HttpResponseBase:
    """A homework file as a download under its original name (the journal and the diary serve it so):
    always an attachment, and the browser must not guess another type."""
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_GET
def homework_file_download(request: HttpRequest, file_id: int) -> HttpResponseBase:
    return homework_file_response(_file_for_user(request, file_id))


@staff_required
@require_POST
def homework_file_delete_view(request: HttpRequest, file_id: int) -> HttpResponse:
    row = _file_for_user(request, file_id, write=True)
    lesson_id = row.homework.lesson_id
    try:
        homework_file_delete(actor=request.user, file=row)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The file «%(name)s» has been removed.") % {"name": row.original_name})
    return redirect(reverse("journal:lesson_detail", args=[lesson_id]))


urlpatterns = [
    path("lessons/<int:lesson_id>/homework/", homework_save, name="homework_save"),
    path("lessons/<int:lesson_id>/homework/delete/", homework_clear_view, name="homework_clear"),
    path("homework/files/<int:file_id>/", homework_file_download, name="homework_file"),
    path("homework/files/<int:file_id>/delete/", homework_file_delete_view, name="homework_file_delete"),
]
