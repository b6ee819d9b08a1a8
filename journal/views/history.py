"""The history of changes: a cell's, a user's since a time, and reverting them (§3.16)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.decorators import deny_unless, staff_required
from core.messages import flash_errors
from journal import rules
from journal.access import (
    get_lesson_for_user,
    get_student_of_school,
)
from journal.forms.finals import (
    ChangesForm,
    RevertAllForm,
    RevertForm,
)
from journal.models import (
    Attendance,
    Mark,
)
from journal.services.history import (
    Change,
    change_revert,
    changes_about,
    changes_by_user_since,
    changes_revert_all,
)


def _record_changes(records: list[Any]) -> list[dict[str, Any]]:
    """Old → new values of each history row (records of several objects, oldest first)."""
    last: dict[int, Any] = {}
    rows = []
    for record in records:
        model = record.instance_type
        names = [
            f.name
            for f in record.tracked_fields
            if f.editable and not f.primary_key and f.name not in ("version", "lesson", "student")
        ]
        prev = last.get(record.id)
        if record.history_type == "~" and prev is not None:
            delta = record.diff_against(prev, excluded_fields=["version"])
            fields = [(c.field, c.old, c.new) for c in delta.changes if c.field in names]
        elif record.history_type == "-":
            fields = [(n, getattr(record, model._meta.get_field(n).attname), None) for n in names]
        else:
            fields = [(n, None, getattr(record, model._meta.get_field(n).attname)) for n in names]
        last[record.id] = record
        rows.append(
            {
                "record": record,
                "what": model._meta.verbose_name,
                "fields": [(model._meta.get_field(n).verbose_name, old, new) for n, old, new in fields],
            }
        )
    return rows


# Said by ``about`` in words: not listed again as row ids.
ABOUT_FIELDS = frozenset({"lesson", "student", "course", "period"})


def change_entry(change: Change, about: str = "") -> dict[str, Any]:
    """A change of the service (old → new against the object's previous history row) for the templates;
    ``about``: whose and which (the student, the subject and class, the day or the period)."""
    meta = change.model._meta
    return {
        "record": change.record,
        "what": meta.verbose_name,
        "about": about,
        "fields": [
            (meta.get_field(fc.field).verbose_name, fc.old, fc.new)
            for fc in change.fields
            if not (about and fc.field in ABOUT_FIELDS)
        ],
    }


def change_entries(changes: list[Change]) -> list[dict[str, Any]]:
    """The entries of ``changes``, each saying what it is about (a constant number of queries)."""
    return [change_entry(c, about) for c, about in zip(changes, changes_about(changes), strict=True)]


@staff_required
def cell_history(request: HttpRequest, lesson_id: int, student_id: int) -> HttpResponse:
    lesson = get_lesson_for_user(request.user, request.school, lesson_id)
    student = get_student_of_school(lesson.course.class_group.year.school_id, student_id)
    if student is None:
        raise Http404("No such student")
    records: list[Any] = []
    for model in (Mark, Attendance):
        records.extend(
            model.history.filter(lesson_id=lesson.pk, student_id=student.pk).select_related(  # type: ignore[attr-defined]
                "history_user"
            )
        )
    records.sort(key=lambda r: (r.history_date, r.history_id))
    entries = _record_changes(records)
    entries.reverse()
    context = {"lesson": lesson, "student": student, "entries": entries}
    if getattr(request, "htmx", False):
        return render(request, "journal/history/_cell.html", context)
    return render(request, "journal/history/cell.html", context)


def _school_users(request: HttpRequest) -> QuerySet[User]:
    return User.objects.filter(memberships__school=request.school).distinct().order_by("last_name", "first_name")


def _changes_query(user: User, since: datetime.datetime) -> str:
    local = timezone.localtime(since)
    return urlencode({"user": user.pk, "since": local.strftime("%Y-%m-%dT%H:%M")})


@staff_required
def history_changes(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.reads_change_history(request.user))
    users = _school_users(request)
    form = ChangesForm(request.GET or None, users=users)
    changes: list[Change] = []
    entries: list[tuple[Change, dict[str, Any]]] = []
    if form.is_bound and form.is_valid():
        changes = changes_by_user_since(form.cleaned_data["user"], form.cleaned_data["since"])
        entries = list(zip(changes, change_entries(changes), strict=True))
    return render(request, "journal/history/changes.html", {"form": form, "entries": entries})


def _find_change(user: User, since: datetime.datetime, model_label: str, history_id: int) -> Change:
    for change in changes_by_user_since(user, since):
        if change.model_label == model_label and change.record.history_id == history_id:
            return change
    raise Http404("No such change")


@staff_required
@require_POST
def history_revert(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.reads_change_history(request.user))
    form = RevertForm(request.POST, users=_school_users(request))
    if not form.is_valid():
        raise Http404("No such change")
    user, since = form.cleaned_data["user"], form.cleaned_data["since"]
    change = _find_change(user, since, form.cleaned_data["model_label"], form.cleaned_data["history_id"])
    back = f"{reverse('journal:history')}?{_changes_query(user, since)}"
    if not form.cleaned_data["confirm"]:
        entry = change_entries([change])[0]
        return render(
            request,
            "journal/history/confirm.html",
            {"form": form, "entries": [(change, entry)], "action": reverse("journal:history_revert"), "back": back},
        )
    try:
        change_revert(actor=request.user, change=change)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The change is reverted."))
    return redirect(back)


@staff_required
@require_POST
def history_revert_all(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.reads_change_history(request.user))
    form = RevertAllForm(request.POST, users=_school_users(request))
    if not form.is_valid():
        raise Http404("No such user")
    user, since = form.cleaned_data["user"], form.cleaned_data["since"]
    back = f"{reverse('journal:history')}?{_changes_query(user, since)}"
    if not form.cleaned_data["confirm"]:
        changes = changes_by_user_since(user, since)
        entries = list(zip(changes, change_entries(changes), strict=True))
        return render(
            request,
            "journal/history/confirm.html",
            {"form": form, "entries": entries, "action": reverse("journal:history_revert_all"), "back": back},
        )
    try:
        reverted = changes_revert_all(actor=request.user, user=user, since=since)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Changes reverted: %(count)s.") % {"count": len(reverted)})
    return redirect(back)
