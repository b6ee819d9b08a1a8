"""The new-year wizard: the next academic year previewed, then made once confirmed (the deputy and the
administrator)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.decorators import deny_unless, staff_required
from journal import rules
from journal.selectors.schools import current_year
from journal.services.new_year import new_year_create, new_year_plan


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
    if request.method == "POST":
        if request.POST.get("confirm") != plan.name:
            messages.error(request, _("Confirm the year to make: tick the box with its name."))
            return render(request, "journal/new_year.html", {"plan": plan, "source": source}, status=400)
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
    return render(request, "journal/new_year.html", {"plan": plan, "source": source})
