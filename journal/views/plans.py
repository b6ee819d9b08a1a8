"""Thematic plans (КТП, §2.2, §4.4): a course's plan, its items, copying, import and export, the progress.

Reading: the staff who see the course. Writing: a course's own plan is its teacher's; a plan shared by a
parallel, its teachers' and the deputy's (:func:`journal.rules.edits_shared_plan`).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import staff_required
from core.messages import error_text
from core.responses import xlsx_response
from journal.access import PlanAccess, get_course_for_user, get_plan_access
from journal.forms.plans import (
    PlanCopyForm,
    PlanCreateForm,
    PlanImportForm,
    PlanItemForm,
)
from journal.imports import SpreadsheetError, parse_plan_file, plan_template_xlsx
from journal.models import PlanItem, ThematicPlan
from journal.selectors.plans import (
    copy_sources_for,
    hours_check,
    plan_for_course,
    plan_item_of,
    plan_items,
    plan_progress,
    plans_overview,
)
from journal.selectors.schools import current_year
from journal.services import plans as services
from journal.services.plans import ItemData

SESSION_KEY = "plan_import"


def _plan_url(course_id: int) -> str:
    return reverse("journal:plan_detail", args=[course_id])


def _writable(request: HttpRequest, course_id: int) -> PlanAccess:
    """The plan page's course for a write: 404 outside the scope, 403 when it is read-only."""
    access = get_plan_access(request.user, request.school, course_id)
    if not access.can_write:
        raise PermissionDenied
    return access


def _editable_plan(request: HttpRequest, course_id: int) -> tuple[PlanAccess, ThematicPlan]:
    access = get_plan_access(request.user, request.school, course_id)
    if access.plan is None:
        if access.can_write:
            # Nothing to edit yet: the page offers to create the plan.
            raise ValidationError(_("The course has no thematic plan yet."))
        raise PermissionDenied
    if not access.can_edit_plan:
        raise PermissionDenied
    return access, access.plan


@staff_required
def plan_list(request: HttpRequest) -> HttpResponse:
    year = current_year(request.school)
    rows = plans_overview(request.user, request.school, year)
    return render(request, "journal/plans/plan_list.html", {"rows": rows, "year": year})


def _plan_context(request: HttpRequest, access: PlanAccess, **extra: Any) -> dict[str, Any]:
    items = list(plan_items(access.plan))
    context: dict[str, Any] = {
        "access": access,
        "course": access.course,
        "plan": access.plan,
        "items": items,
        "check": hours_check(access.course, access.plan, items),
        "item_form": PlanItemForm(),
    }
    if access.can_write:
        sources = copy_sources_for(request.user, request.school, access.course)
        if access.plan is not None:
            sources = sources.exclude(pk=access.plan.pk)
        context["copy_form"] = PlanCopyForm(sources=sources)
    context.update(extra)
    return context


@staff_required
def plan_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    access = get_plan_access(request.user, request.school, course_id)
    return render(request, "journal/plans/plan_detail.html", _plan_context(request, access))


@staff_required
@require_POST
def plan_create(request: HttpRequest, course_id: int) -> HttpResponse:
    access = get_plan_access(request.user, request.school, course_id)
    if not (access.can_create_own or access.can_create_shared):
        raise PermissionDenied
    form = PlanCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whose plan to create."))
        return redirect(_plan_url(course_id))
    course = access.course
    try:
        if form.cleaned_data["scope"] == "shared":
            if not access.can_create_shared:
                raise PermissionDenied
            services.plan_create(
                actor=request.user,
                year=course.class_group.year,
                grade=course.class_group.grade,
                subject=course.subject,
            )
        else:
            if not access.can_create_own:
                raise PermissionDenied
            services.plan_create(actor=request.user, course=course)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The thematic plan has been created."))
    return redirect(_plan_url(course_id))


@staff_required
@require_POST
def plan_item_add(request: HttpRequest, course_id: int) -> HttpResponse:
    try:
        access, plan = _editable_plan(request, course_id)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(_plan_url(course_id))
    form = PlanItemForm(request.POST)
    if form.is_valid():
        try:
            services.plan_item_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The row has been added."))
            return redirect(_plan_url(course_id) + "#plan-end")
    context = _plan_context(request, access, item_form=form)
    return render(request, "journal/plans/plan_detail.html", context, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def plan_item_edit(request: HttpRequest, course_id: int, item_id: int) -> HttpResponse:
    """The row as a form: htmx swaps it into the table row; without htmx it is a page of its own.

    Saving is a plain POST that returns to the plan page, whose totals and
    hours warning change with the row.
    """
    try:
        access, plan = _editable_plan(request, course_id)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(_plan_url(course_id))
    item = plan_item_of(plan, item_id)
    status = 200
    if request.method == "POST":
        form = PlanItemForm(request.POST)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in ("topic", "hours", "kind")}
            try:
                item = services.plan_item_update(actor=request.user, item=item, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The row has been saved."))
                return redirect(_plan_url(course_id) + f"#item-{item.pk}")
        status = 400
    else:
        form = PlanItemForm(initial={"topic": item.topic, "hours": item.hours, "kind": item.kind})
    template = "journal/plans/_item_form_row.html" if request.htmx else "journal/plans/item_edit.html"
    context = {"access": access, "course": access.course, "plan": plan, "item": item, "form": form}
    return render(request, template, context, status=status)


def _plan_item_action(
    request: HttpRequest,
    course_id: int,
    item_id: int,
    action: Callable[[PlanItem], object],
    success: Callable[[PlanItem], str] | None = None,
    anchor: bool = False,
) -> HttpResponse:
    """Run ``action`` on a row of the editable plan; flash the refusal or ``success``, back to the plan."""
    try:
        _access, plan = _editable_plan(request, course_id)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(_plan_url(course_id))
    item = plan_item_of(plan, item_id)
    try:
        action(item)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if success is not None:
            messages.success(request, success(item))
    return redirect(_plan_url(course_id) + (f"#item-{item.pk}" if anchor else ""))


@staff_required
@require_POST
def plan_item_delete(request: HttpRequest, course_id: int, item_id: int) -> HttpResponse:
    return _plan_item_action(
        request,
        course_id,
        item_id,
        lambda item: services.plan_item_delete(actor=request.user, item=item),
        success=lambda item: _("The row «%(topic)s» has been deleted.") % {"topic": item.topic},
    )


@staff_required
@require_POST
def plan_item_move(request: HttpRequest, course_id: int, item_id: int) -> HttpResponse:
    by = -1 if request.POST.get("direction") == "up" else 1
    return _plan_item_action(
        request,
        course_id,
        item_id,
        lambda item: services.plan_item_move(actor=request.user, item=item, by=by),
        anchor=True,
    )


@staff_required
@require_POST
def plan_copy(request: HttpRequest, course_id: int) -> HttpResponse:
    access = _writable(request, course_id)
    sources = copy_sources_for(request.user, request.school, access.course)
    form = PlanCopyForm(request.POST, sources=sources)
    if not form.is_valid():
        messages.error(request, _("Choose a plan to copy from the list."))
        return redirect(_plan_url(course_id))
    try:
        plan = services.plan_copy_from(
            actor=request.user, source=form.cleaned_data["source"], target=access.plan, course=access.course
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        count = plan_items(plan).count()
        messages.success(request, _("The plan now has the %(count)s copied rows.") % {"count": count})
    return redirect(_plan_url(course_id))


@staff_required
def plan_template(request: HttpRequest) -> HttpResponse:
    """The empty import template (XLSX)."""
    response = xlsx_response(plan_template_xlsx(), "ktp-template.xlsx")
    return response


@staff_required
def plan_export(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's plan in the template's layout: edit it in a spreadsheet and import it back."""
    access = get_plan_access(request.user, request.school, course_id)
    rows = [(item.topic, item.hours, item.kind) for item in plan_items(access.plan)]
    response = xlsx_response(plan_template_xlsx(rows), f"ktp-{access.course.pk}.xlsx")
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, course_id: int) -> HttpResponse:
    """Upload → the dry run: the parsed rows with their errors. Nothing is saved here."""
    access = _writable(request, course_id)
    context: dict[str, Any] = {"access": access, "course": access.course, "plan": access.plan}
    if request.method != "POST":
        context["form"] = PlanImportForm()
        return render(request, "journal/plans/import.html", context)
    form = PlanImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "journal/plans/import.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        parsed = parse_plan_file(upload, upload.name)
    except SpreadsheetError as exc:
        form.add_error("file", exc.message)
        return render(request, "journal/plans/import.html", context, status=400)
    token = ""
    if parsed.ok:
        token = secrets.token_urlsafe(16)
        # The parsed rows wait in the (database-backed, server-side) session for the confirm.
        request.session[SESSION_KEY] = {
            "course": access.course.pk,
            "plan": access.plan.pk if access.plan else None,
            "token": token,
            "name": upload.name,
            "rows": parsed.as_data(),
        }
    else:
        request.session.pop(SESSION_KEY, None)
    current = plan_items(access.plan)
    check = dataclasses.replace(hours_check(access.course, access.plan, []), plan_hours=parsed.total_hours)
    context.update(
        parsed=parsed,
        token=token,
        file_name=upload.name,
        current_count=current.count(),
        check=check,
        form=PlanImportForm(),
    )
    return render(request, "journal/plans/import_preview.html", context)


@staff_required
@require_POST
def plan_import_confirm(request: HttpRequest, course_id: int) -> HttpResponse:
    access = _writable(request, course_id)
    pending = request.session.get(SESSION_KEY)
    plan_id = access.plan.pk if access.plan else None
    if (
        not pending
        or pending.get("course") != access.course.pk
        or pending.get("plan") != plan_id
        or not secrets.compare_digest(str(pending.get("token", "")), request.POST.get("token", ""))
    ):
        messages.error(request, _("The checked file is no longer waiting for confirmation: upload it again."))
        return redirect(reverse("journal:plan_import", args=[course_id]))
    rows = [ItemData(topic=r["topic"], hours=r["hours"], kind=r["kind"]) for r in pending["rows"]]
    try:
        services.plan_replace_items(actor=request.user, plan=access.plan, course=access.course, rows=rows)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("journal:plan_import", args=[course_id]))
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _("Imported %(count)s rows from «%(name)s».") % {"count": len(rows), "name": pending.get("name", "")},
    )
    return redirect(_plan_url(course_id))


@staff_required
def plan_progress_view(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_user(request.user, request.school, course_id)
    plan = plan_for_course(course)
    progress = plan_progress(course, plan, timezone.localdate())
    return render(request, "journal/plans/progress.html", {"course": course, "plan": plan, "progress": progress})
