"""The new-year wizard: the next academic year previewed, then made once confirmed (the deputy and the
administrator)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.decorators import deny_unless, staff_required
from journal import rules
from journal.selectors.schools import current_year
from journal.services.new_year import (
    NewYearPlan,
    new_year_create,
    new_year_plan,
    teaching_ends,
    year_make_current,
)
from journal.services.plans import plans_copy_year


@staff_required
@require_http_methods(["GET", "POST"])
def new_year(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.makes_new_year(request.user))
    source = current_year(request.school)
    if source is None:
        raise Http404("No current year")
    try:
        plan = new_year_plan(source)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "journal/new_year.html", {"plan": None, "source": source}, status=400)
    if request.method == "POST" and plan.existing is not None:
        return _after(request, plan)
    if request.method == "POST":
        if request.POST.get("confirm") != plan.name:
            messages.error(request, _("Confirm the year to make: tick the box with its name."))
            return render(request, "journal/new_year.html", _context(plan), status=400)
        year, made = new_year_create(actor=request.user, source=source)
        if made:
            messages.success(
                request,
                _("The academic year %(name)s is made: review its timetable and teachers before generating lessons.")
                % {"name": year.name},
            )
        else:
            messages.info(
                request, _("The academic year %(name)s exists already: nothing was changed.") % {"name": year.name}
            )
        return redirect(reverse("journal:new_year"))
    return render(request, "journal/new_year.html", _context(plan))


def _context(plan: NewYearPlan) -> dict[str, object]:
    today = timezone.localdate()
    ends = teaching_ends(plan.source)
    return {"plan": plan, "source": plan.source, "teaching_ends": ends, "may_switch": today > ends}


def _after(request: HttpRequest, plan: NewYearPlan) -> HttpResponse:
    """The steps once the year is made: its thematic plans copied, then (after the summer) made current."""
    year = plan.existing
    assert year is not None  # noqa: S101 - the caller checks
    action = request.POST.get("action")
    try:
        if action == "copy_plans":
            copied = plans_copy_year(actor=request.user, source=plan.source, target=year)
            messages.success(
                request,
                _("Thematic plans copied into %(year)s: %(made)s; already there and kept: %(kept)s.")
                % {"year": year.name, "made": copied.made, "kept": copied.kept},
            )
        elif action == "make_current":
            if request.POST.get("confirm") != year.name:
                raise ValidationError(_("Confirm the year to make current: tick the box with its name."))
            year_make_current(actor=request.user, year=year, today=timezone.localdate())
            messages.success(
                request,
                _("%(year)s is the current year; %(old)s is archived: read-only, and readable by all.")
                % {"year": year.name, "old": plan.source.name},
            )
            return redirect(reverse("journal:class_list"))
        else:
            raise ValidationError(_("Choose what to do."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "journal/new_year.html", _context(plan), status=400)
    return redirect(reverse("journal:new_year"))
