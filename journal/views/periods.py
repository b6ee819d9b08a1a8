"""Study periods of a year: locking and unlocking them (the deputy and the administrator; the director reads)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import deny_unless, staff_required
from core.messages import flash_errors
from journal import rules
from journal.access import (
    get_period_for_user,
    get_year_for_user,
)
from journal.forms.finals import (
    UnlockForm,
)
from journal.models import (
    PeriodUnlock,
    StudyPeriod,
)
from journal.services.final_marks import period_lock, period_relock, period_unlock


@staff_required
def period_list(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.reads_whole_school(request.user))
    raw_year = request.GET.get("year")
    year = get_year_for_user(request.user, request.school, int(raw_year) if raw_year and raw_year.isdigit() else None)
    periods = (
        list(StudyPeriod.objects.filter(year=year).order_by("kind", "number").prefetch_related("unlocks__unlocked_by"))
        if year is not None
        else []
    )
    unlocks = (
        PeriodUnlock.objects.filter(period__year=year).select_related("period", "unlocked_by")
        if year is not None
        else PeriodUnlock.objects.none()
    )
    return render(
        request,
        "journal/policy/periods.html",
        {
            "year": year,
            "periods": periods,
            "unlocks": unlocks,
            "can_edit": rules.edits_periods(request.user),
            "unlock_form": UnlockForm(),
            "today": timezone.localdate(),
        },
    )


@staff_required
@require_POST
def period_lock_view(request: HttpRequest, period_id: int) -> HttpResponse:
    deny_unless(rules.edits_periods(request.user))
    period = get_period_for_user(request.school, period_id)
    try:
        if PeriodUnlock.objects.filter(period=period, relocked_at__isnull=True).exists():
            period_relock(actor=request.user, period=period)
        else:
            period_lock(actor=request.user, period=period)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The period %(period)s is locked.") % {"period": period})
    return redirect(f"{reverse('journal:period_list')}?{urlencode({'year': period.year_id})}")


@staff_required
@require_POST
def period_unlock_view(request: HttpRequest, period_id: int) -> HttpResponse:
    deny_unless(rules.edits_periods(request.user))
    period = get_period_for_user(request.school, period_id)
    form = UnlockForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        period_unlock(actor=request.user, period=period, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The period %(period)s is unlocked.") % {"period": period})
    return redirect(f"{reverse('journal:period_list')}?{urlencode({'year': period.year_id})}")
