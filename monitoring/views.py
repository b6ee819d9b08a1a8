"""The monitoring's pages: the school's dashboard (director, deputy, administrator), a class's (its class
teacher), a teacher's week lesson by lesson, the control checks (the deputy records, the teacher reads
theirs). Every table of a dashboard is in its workbook (``?format=xlsx``)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.decorators import deny_unless, staff_required
from core.messages import add_form_errors, error_text
from core.params import date_param
from core.responses import xlsx_response
from core.widgets import DateInput
from journal import rules
from journal.access import get_class_desk_for_user
from journal.models import AcademicYear, ClassGroup, Course
from journal.selectors.lessons import week_of
from monitoring import selectors as figures
from monitoring.access import get_check_for_user, get_monitored_year, get_teacher_week_for_user, teachers_of
from monitoring.dashboard import Scope, dashboard
from monitoring.services import control_check_create, control_check_fixed
from reports.render import report_xlsx


def _year(request: HttpRequest) -> AcademicYear:
    return get_monitored_year(request.school)


def _scope(request: HttpRequest, year: AcademicYear, class_group: ClassGroup | None = None) -> Scope:
    today = timezone.localdate()
    day = date_param(request, "week") or today
    monday = week_of(min(max(day, year.start), year.end))[0]
    return Scope(year=year, monday=monday, today=today, class_group=class_group)


def _dashboard_page(request: HttpRequest, scope: Scope, url: str) -> HttpResponse:
    wants_xlsx = request.GET.get("format") == "xlsx"
    report = dashboard(request.user, scope, page=not wants_xlsx)
    if wants_xlsx:
        return xlsx_response(report_xlsx(report), f"{report.filename}.xlsx")
    week = scope.monday.isoformat()
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "report": report,
            "scope": scope,
            "url": url,
            "previous": (scope.monday - datetime.timedelta(days=7)).isoformat(),
            "next": (scope.monday + datetime.timedelta(days=7)).isoformat(),
            "week": week,
            "records_checks": rules.records_control_checks(request.user) and scope.class_group is None,
        },
    )


@staff_required
@require_GET
def school_dashboard(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.reads_usage(request.user))
    return _dashboard_page(request, _scope(request, _year(request)), reverse("monitoring:dashboard"))


@staff_required
@require_GET
def class_dashboard(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_desk_for_user(request.user, request.school, class_id)
    if not class_group.year.is_current:
        raise Http404("Monitoring is of the current year")
    scope = _scope(request, class_group.year, class_group)
    return _dashboard_page(request, scope, reverse("monitoring:class_dashboard", args=[class_group.pk]))


@staff_required
@require_GET
def teacher_week(request: HttpRequest, teacher_id: int) -> HttpResponse:
    """The teacher's lessons of the week, each with what it lacks: the director, the deputy and the teacher."""
    teacher = get_teacher_week_for_user(request.user, request.school, teacher_id)
    year = _year(request)
    scope = _scope(request, year)
    lessons = figures.teacher_week_lessons(year, teacher.pk, scope.monday, scope.week_end, scope.today)
    week = figures.teacher_weeks(year, scope.monday, scope.week_end, scope.today, [teacher.pk])
    return render(
        request,
        "monitoring/teacher_week.html",
        {
            "teacher": teacher,
            "lessons": lessons,
            "week": week[0] if week else None,
            "scope": scope,
            "previous": (scope.monday - datetime.timedelta(days=7)).isoformat(),
            "next": (scope.monday + datetime.timedelta(days=7)).isoformat(),
        },
    )


class ControlCheckForm(forms.Form):
    teacher = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Teacher"))
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(), required=False, label=gettext_lazy("Course"), empty_label=gettext_lazy("all")
    )
    checked_on = forms.DateField(label=gettext_lazy("Checked on"), widget=DateInput())
    findings = forms.CharField(label=gettext_lazy("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    fix_by = forms.DateField(label=gettext_lazy("To be put right by"), required=False, widget=DateInput())

    def __init__(self, *args: object, year: AcademicYear, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["teacher"].queryset = teachers_of(year.school)  # type: ignore[attr-defined]
        self.fields["teacher"].label_from_instance = lambda u: u.short_name  # type: ignore[attr-defined]
        courses = Course.objects.filter(class_group__year=year).select_related("class_group", "subject", "subgroup")
        self.fields["course"].queryset = courses.order_by("class_group__grade", "class_group__letter", "subject__name")  # type: ignore[attr-defined]
        self.fields["checked_on"].initial = timezone.localdate()
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


@staff_required
@require_http_methods(["GET", "POST"])
def check_list(request: HttpRequest) -> HttpResponse:
    """The year's control checks; the deputy and the director record one here."""
    deny_unless(rules.reads_school_monitoring(request.user))
    year = _year(request)
    can_record = rules.records_control_checks(request.user)
    form = ControlCheckForm(request.POST or None, year=year)
    if request.method == "POST":
        deny_unless(can_record)
        if form.is_valid():
            data = form.cleaned_data
            try:
                control_check_create(
                    actor=request.user,
                    school=request.school,
                    year=year,
                    teacher=data["teacher"],
                    course=data["course"],
                    checked_on=data["checked_on"],
                    findings=data["findings"],
                    fix_by=data["fix_by"],
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("The check is recorded; the teacher is told."))
                return redirect("monitoring:checks")
    checks = figures.control_checks(year)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "monitoring/checks.html",
        {"checks": checks, "form": form if can_record else None, "today": timezone.localdate(), "mine": False},
        status=status,
    )


@staff_required
@require_POST
def check_fixed(request: HttpRequest, check_id: int) -> HttpResponse:
    check = get_check_for_user(request.user, request.school, check_id)
    try:
        control_check_fixed(actor=request.user, check=check)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error) if isinstance(error, ValidationError) else str(error))
    else:
        messages.success(request, _("The check is marked put right."))
    return redirect("monitoring:checks")


@staff_required
@require_GET
def my_checks(request: HttpRequest) -> HttpResponse:
    """The checks of the signed-in teacher's journal (§3.9): what was found and by when to put it right."""
    year = _year(request)
    checks = figures.control_checks(year, teacher_id=request.user.pk)
    return render(
        request,
        "monitoring/checks.html",
        {"checks": checks, "form": None, "today": timezone.localdate(), "mine": True},
    )
