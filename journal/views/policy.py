"""The school's grading policy and its work types: versions in force from a date."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import deny_unless, staff_required
from core.messages import add_form_errors
from journal import rules
from journal.forms.finals import (
    PolicyVersionForm,
    WorkTypeForm,
)
from journal.models import (
    GradingPolicy,
    WorkType,
)
from journal.selectors.grading import policy_for
from journal.services.policy import policy_create_version, work_type_create, work_type_update


def _policy_page(
    request: HttpRequest,
    *,
    version_form: PolicyVersionForm | None = None,
    type_form: WorkTypeForm | None = None,
    edit_forms: dict[int, WorkTypeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    school = request.school
    if school is None:
        raise Http404("No school")
    today = timezone.localdate()
    in_force = policy_for(school, today)
    versions = GradingPolicy.objects.filter(school=school).select_related("created_by").order_by("-valid_from")
    work_types = list(WorkType.objects.filter(school=school).order_by("name"))
    edit_forms = edit_forms or {}
    can_edit = rules.edits_periods(request.user)
    if version_form is None:
        version_form = PolicyVersionForm(initial=PolicyVersionForm.initial_from(in_force, today))
    type_rows = [
        (
            wt,
            edit_forms.get(wt.pk)
            or WorkTypeForm(
                prefix=f"wt{wt.pk}",
                initial={
                    "name": wt.name,
                    "weight": wt.weight,
                    "lesson_kind": wt.lesson_kind,
                    "is_active": wt.is_active,
                },
            ),
        )
        for wt in work_types
    ]
    return render(
        request,
        "journal/policy/policy.html",
        {
            "in_force": in_force,
            "versions": versions,
            "today": today,
            "type_rows": type_rows,
            "can_edit": can_edit,
            "version_form": version_form,
            "type_form": type_form or WorkTypeForm(prefix="new"),
        },
        status=status,
    )


@staff_required
def policy(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.reads_whole_school(request.user))
    return _policy_page(request)


@staff_required
@require_POST
def policy_version_create(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.edits_periods(request.user))
    form = PolicyVersionForm(request.POST)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "valid_from"}
        try:
            version = policy_create_version(
                actor=request.user, school=request.school, valid_from=form.cleaned_data["valid_from"], **fields
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(
                request,
                _("The grading policy from %(date)s is saved.") % {"date": version.valid_from.strftime("%d.%m.%Y")},
            )
            return redirect("journal:policy")
    return _policy_page(request, version_form=form, status=400)


@staff_required
@require_POST
def work_type_create_view(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.edits_periods(request.user))
    form = WorkTypeForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            work_type = work_type_create(
                actor=request.user,
                school=request.school,
                name=form.cleaned_data["name"],
                weight=form.cleaned_data["weight"],
                lesson_kind=form.cleaned_data["lesson_kind"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The work type «%(name)s» is added.") % {"name": work_type.name})
            return redirect("journal:policy")
    return _policy_page(request, type_form=form, status=400)


@staff_required
@require_POST
def work_type_update_view(request: HttpRequest, work_type_id: int) -> HttpResponse:
    deny_unless(rules.edits_periods(request.user))
    work_type = WorkType.objects.filter(school=request.school, pk=work_type_id).first()
    if work_type is None:
        raise Http404("No such work type in your school")
    form = WorkTypeForm(request.POST, prefix=f"wt{work_type.pk}")
    if form.is_valid():
        try:
            work_type_update(
                actor=request.user,
                work_type=work_type,
                name=form.cleaned_data["name"],
                weight=form.cleaned_data["weight"],
                lesson_kind=form.cleaned_data["lesson_kind"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The work type «%(name)s» is saved.") % {"name": form.cleaned_data["name"]})
            return redirect("journal:policy")
    return _policy_page(request, edit_forms={work_type.pk: form}, status=400)
