"""The administrator's accounts screens (§3.2, §3.3, §4.1): a class's students and parents with their logins;
logins issued in bulk or one by one, each as a printable slip (Appendix 2); a login disabled or enabled; a
person's sign-ins; compromise reports (§3.15, Appendix 1) and the Act voiding what was done (§3.16)."""

from __future__ import annotations

import datetime
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import CompromiseReport, ReportSource
from accounts.selectors.logins import sign_ins
from accounts.services.compromise import compromise_report
from accounts.services.logins import Slip
from accounts.services.mfa import ENROLMENT_CODE_DAYS, enrolment_code_give, second_factor_reset
from core.decorators import deny_unless, staff_required
from core.messages import add_form_errors, error_text
from core.params import int_param, next_url, parse_day, parse_moment
from core.pdf import render_pdf
from core.responses import pdf_response, xlsx_response
from journal import rules
from journal.access import get_class_for_user
from journal.forms.roster import RosterImportForm
from journal.forms.staff import StaffForm, StaffRolesForm
from journal.imports import SpreadsheetError
from journal.roster_import import RosterRow, StaffRow, parse_roster_file, roster_template_xlsx
from journal.selectors.accounts import (
    AccountRow,
    class_accounts,
    school_account,
    school_compromise_reports,
    school_member,
    school_parent_link,
    school_staff,
)
from journal.selectors.schools import current_year, users_of_school, with_school_roles
from journal.selectors.scope import classes_visible_to
from journal.selectors.timetable import day_in_year
from journal.services.compromise import act_since, compromise_act, operations_since
from journal.services.consent import consent_give, consent_withdraw
from journal.services.logins import (
    class_logins_issue,
    login_set_active,
    person_login_issue,
    staff_create,
    staff_roles_set,
)
from journal.services.roster import RosterPlan, StaffPlan, roster_import, roster_plan, staff_import, staff_plan
from journal.views.history import change_entries


def _slips_pdf(slips: list[Slip], name: str) -> HttpResponse:
    pdf = render_pdf("accounts/slips.html", {"slips": slips, "made": timezone.localtime()}, page_numbers=False)
    return pdf_response(pdf, f"{name}.pdf")


@staff_required
def accounts_index(request: HttpRequest) -> HttpResponse:
    """The classes of the current year, each a link to its accounts."""
    deny_unless(rules.administers(request.user))
    classes = classes_visible_to(request.user, request.school).filter(year__is_current=True).order_by("grade", "letter")
    staff = with_school_roles(school_staff(request.school), request.school)
    managed = rules.managed_logins(request.user, [user.pk for user in staff])
    return render(request, "accounts/accounts_index.html", {"classes": classes, "staff": staff, "managed": managed})


@staff_required
@require_http_methods(["GET", "POST"])
def class_accounts_view(request: HttpRequest, class_id: int) -> HttpResponse:
    deny_unless(rules.administers(request.user))
    class_group = get_class_for_user(request.user, request.school, class_id)
    rows = class_accounts(class_group, day_in_year(class_group.year))
    status = 200
    if request.method == "POST":
        wanted = set(request.POST.getlist("person"))
        chosen = [row for row in rows if row.key in wanted]
        try:
            slips = class_logins_issue(actor=request.user, class_group=class_group, rows=chosen)
        except ValidationError as error:
            messages.error(request, error_text(error))
            status = 400
        else:
            return _slips_pdf(slips, f"logins-{class_group}")
    return render(
        request,
        "accounts/class_accounts.html",
        {
            "class_group": class_group,
            "rows": rows,
            "never_used": sum(1 for row in rows if row.never_used),
            "managed": rules.managed_logins(request.user, [row.user.pk for row in rows if row.user is not None]),
        },
        status=status,
    )


def _person(request: HttpRequest, user_id: int, *, manage: bool = False) -> AccountRow:
    """A person of the school by their login; ``manage``: whose login the administrator may change
    (:func:`journal.rules.may_manage_login`: not a person who is also in another school), else 403."""
    deny_unless(rules.administers(request.user))
    row = school_account(request.school, user_id)
    if row is None or row.user is None:
        raise Http404("No such person in the school")
    if manage:
        deny_unless(rules.may_manage_login(request.user, row.user))
    return row


@staff_required
@require_POST
def account_reissue(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new slip for one person: the old password is void at once."""
    row = _person(request, user_id, manage=True)
    try:
        slip = person_login_issue(actor=request.user, row=row, school=request.school.name)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(next_url(request, reverse("journal:accounts")))
    return _slips_pdf([slip], f"login-{slip.login}")


@staff_required
@require_POST
def account_active(request: HttpRequest, user_id: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    row = _person(request, user_id, manage=request.user.pk != user_id or active)
    assert row.user is not None  # noqa: S101 - found by the user's id
    try:
        login_set_active(actor=request.user, user=row.user, active=active)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        text = _("The login %(login)s is enabled.") if active else _("The login %(login)s is disabled.")
        messages.success(request, text % {"login": row.user.username})
    return redirect(next_url(request, reverse("journal:accounts")))


@staff_required
@require_POST
def account_mfa_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person lost their phone and their recovery codes: the second step is set up again at the next sign-in."""
    row = _person(request, user_id, manage=True)
    assert row.user is not None  # noqa: S101 - found by the user's id
    second_factor_reset(actor=request.user, user=row.user)
    messages.success(
        request,
        _("%(login)s: the second step is reset; it is set up again at the next sign-in.")
        % {"login": row.user.username},
    )
    return redirect(next_url(request, reverse("journal:accounts")))


@staff_required
@require_POST
def account_enrolment_code(request: HttpRequest, user_id: int) -> HttpResponse:
    """A one-time enrolment code for a person's second factor, shown once to hand over in person: given by
    someone who did not issue the person's password (:func:`journal.rules.gives_enrolment_code`)."""
    row = _person(request, user_id)
    assert row.user is not None  # noqa: S101 - found by the user's id
    try:
        code = enrolment_code_give(actor=request.user, user=row.user)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect(next_url(request, reverse("journal:accounts")))
    return render(
        request,
        "accounts/enrolment_code.html",
        {
            "person": row.user,
            "code": code,
            "days": ENROLMENT_CODE_DAYS,
            "back": next_url(request, reverse("journal:accounts")),
        },
    )


def _moment(raw: str, label: str) -> datetime.datetime:
    try:
        moment = parse_moment(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(_("Give %(what)s: a date and a time.") % {"what": label})
    return moment


@staff_required
@require_http_methods(["GET", "POST"])
def compromise_list(request: HttpRequest) -> HttpResponse:
    """The compromise reports (§3.15) and a paper report (Appendix 1) entered with the time it was received."""
    deny_unless(rules.administers(request.user))
    status = 200
    if request.method == "POST":
        try:
            row = school_account(request.school, int_param(request, "user") or 0)
            if row is None or row.user is None:
                raise ValidationError(_("Choose whose login is compromised."))
            if not rules.may_manage_login(request.user, row.user):
                raise ValidationError(
                    _(
                        "%(login)s is not this school's alone: the person locks it themselves («My login is "
                        "compromised»), or the superuser enters the paper report."
                    )
                    % {"login": row.user.username}
                )
            report = compromise_report(
                user=row.user,
                source=ReportSource.PAPER,
                discovered_at=_moment(request.POST.get("discovered_at", ""), _("when the breach was noticed")),
                received_at=_moment(request.POST.get("received_at", ""), _("when the report was received")),
                entered_by=request.user,
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            status = 400
        else:
            messages.success(request, _("The login %(login)s is locked.") % {"login": report.user.username})
            return redirect("journal:compromise_detail", report.pk)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    context = {
        "reports": school_compromise_reports(request.school)[:100],
        "people": users_of_school(request.school).filter(is_active=True).order_by("last_name", "first_name"),
        "now": now,
    }
    return render(request, "accounts/compromise_list.html", context, status=status)


def _report(request: HttpRequest, report_id: int) -> CompromiseReport:
    deny_unless(rules.administers(request.user))
    report = school_compromise_reports(request.school).filter(pk=report_id).first()
    if report is None:
        raise Http404("No such report")
    return report


@staff_required
@require_http_methods(["GET", "POST"])
def compromise_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """The Act's draft: every operation of the account since the report was received (or since the breach was
    noticed); made, it is numbered and voids them; then a new login is issued."""
    report = _report(request, report_id)
    from_noticed = request.GET.get("since") == "noticed" or report.act_since == report.discovered_at
    status = 200
    if request.method == "POST":
        try:
            compromise_act(actor=request.user, report=report, from_noticed=request.POST.get("since") == "noticed")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error) if isinstance(error, ValidationError) else str(error))
            status = 400
        else:
            report.refresh_from_db()
            messages.success(
                request,
                _("Act No. %(number)s is made: %(count)s operations voided.")
                % {"number": report.act_number, "count": report.voided},
            )
            return redirect("journal:compromise_detail", report.pk)
    since = report.act_since or act_since(report, from_noticed)
    operations = operations_since(report.user, since, report.act_at)
    return render(
        request,
        "accounts/compromise_detail.html",
        {
            "report": report,
            "operations": operations,
            "entries": change_entries(operations.changes),
            "from_noticed": from_noticed,
            "manages_login": rules.may_manage_login(request.user, report.user),
        },
        status=status,
    )


@staff_required
def compromise_act_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    if report.act_number is None or report.act_since is None:
        raise Http404("The act is not made yet")
    operations = operations_since(report.user, report.act_since, report.act_at)
    pdf = render_pdf(
        "accounts/compromise_act.html",
        {
            "report": report,
            "operations": operations,
            "entries": change_entries(operations.changes),
            "school": request.school,
        },
    )
    return pdf_response(pdf, f"act-{report.act_number}.pdf")


@staff_required
def account_logins(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person's sign-ins and failed attempts, for the administrator."""
    row = _person(request, user_id)
    assert row.user is not None  # noqa: S101 - found by the user's id
    return render(
        request, "accounts/account_logins.html", {"person": row.user, "rows": sign_ins(row.user.username, limit=200)}
    )


ROSTER_SESSION_KEY = "roster_import"


@staff_required
@require_http_methods(["GET", "POST"])
def roster_import_view(request: HttpRequest) -> HttpResponse:
    """Upload → the dry run: each row with its errors and what it would do (match or create). Nothing is
    written until the confirmation."""
    deny_unless(rules.administers(request.user))
    year = current_year(request.school)
    if year is None:
        raise Http404("No current year")
    context: dict[str, object] = {"year": year, "form": RosterImportForm()}
    if request.method != "POST":
        return render(request, "accounts/roster_import.html", context)
    form = RosterImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "accounts/roster_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        rows = parse_roster_file(upload, upload.name)
    except SpreadsheetError as exc:
        form.add_error("file", exc.message)
        return render(request, "accounts/roster_import.html", context, status=400)
    staff = bool(rows) and isinstance(rows[0], StaffRow)
    plan = staff_plan(request.school, rows) if staff else roster_plan(request.school, year, rows)  # type: ignore[arg-type]
    token = ""
    if plan.ok:
        token = secrets.token_urlsafe(16)
        request.session[ROSTER_SESSION_KEY] = {
            "token": token,
            "year": year.pk,
            "name": upload.name,
            "kind": plan.kind,
            "rows": [row.as_data() for row in rows],
        }
    else:
        request.session.pop(ROSTER_SESSION_KEY, None)
    context.update(plan=plan, token=token, file_name=upload.name, form=RosterImportForm())
    return render(request, "accounts/roster_import.html", context, status=200 if plan.ok else 400)


@staff_required
@require_POST
def roster_import_confirm(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.administers(request.user))
    year = current_year(request.school)
    pending = request.session.get(ROSTER_SESSION_KEY)
    if (
        year is None
        or not pending
        or pending.get("year") != year.pk
        or not secrets.compare_digest(str(pending.get("token", "")), request.POST.get("token", ""))
    ):
        messages.error(request, _("The checked file is no longer waiting for confirmation: upload it again."))
        return redirect("journal:roster_import")
    name = pending.get("name", "")
    plan: StaffPlan | RosterPlan
    if pending.get("kind") == "staff":
        plan = staff_import(
            actor=request.user, school=request.school, rows=[StaffRow.from_data(d) for d in pending["rows"]]
        )
    else:
        rows = [RosterRow.from_data(data) for data in pending["rows"]]
        plan = roster_import(actor=request.user, school=request.school, year=year, rows=rows)
    request.session.pop(ROSTER_SESSION_KEY, None)
    if not plan.ok:
        messages.error(request, _("The file no longer matches the school: upload it again to see why."))
        return redirect("journal:roster_import")
    if isinstance(plan, StaffPlan):
        done = _("Imported «%(name)s»: %(people)s new staff, %(roles)s roles given to people of the school.") % {
            "name": name,
            "people": plan.new_people,
            "roles": plan.new_roles,
        }
    else:
        done = _("Imported «%(name)s»: %(students)s new students, %(parents)s new parents, %(links)s new links.") % {
            "name": name,
            "students": plan.new_students,
            "parents": plan.new_parents,
            "links": plan.new_links,
        }
    messages.success(request, done)
    return redirect("journal:accounts")


@staff_required
def roster_template(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.administers(request.user))
    if request.GET.get("kind") == "staff":
        return xlsx_response(roster_template_xlsx(staff=True), "staff-template.xlsx")
    return xlsx_response(roster_template_xlsx(), "roster-template.xlsx")


@staff_required
@require_POST
def consent_set(request: HttpRequest, link_id: int) -> HttpResponse:
    """Record a parent's consent (§1.9), given on a day in a form, or its withdrawal: in effect at once."""
    deny_unless(rules.administers(request.user))
    link = school_parent_link(request.school, link_id)
    if link is None:
        raise Http404("No such parent link")
    try:
        on = parse_day(request.POST.get("on", "")) or timezone.localdate()
        if request.POST.get("given") == "1":
            consent_give(actor=request.user, link=link, on=on, form=request.POST.get("form", ""))
            text = _("%(parent)s: the consent is recorded; the electronic diary of %(student)s is open.")
        else:
            consent_withdraw(actor=request.user, link=link, on=on)
            text = _("%(parent)s: the consent is withdrawn; only the paper printout of %(student)s from now on.")
    except ValueError:
        messages.error(request, _("«%(value)s» is not a date.") % {"value": request.POST.get("on", "")})
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, text % {"parent": link.parent.full_name, "student": link.student.full_name})
    return redirect(next_url(request, reverse("journal:accounts")))


@staff_required
def consent_form_pdf(request: HttpRequest, link_id: int) -> HttpResponse:
    """The consent form to sign, filled in with the parent, the child and the school."""
    deny_unless(rules.administers(request.user))
    link = school_parent_link(request.school, link_id)
    if link is None:
        raise Http404("No such parent link")
    pdf = render_pdf("accounts/consent_form.html", {"link": link, "school": request.school}, page_numbers=False)
    return pdf_response(pdf, f"consent-{link.parent.username}.pdf")


@staff_required
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    """A new member of the staff: name, contacts, roles in this school; the slip is then printed from the
    staff list («Новый бланк»)."""
    deny_unless(rules.administers(request.user))
    if request.school is None:  # a superuser of no school
        raise Http404("No school")
    form = StaffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = staff_create(
                actor=request.user,
                school=request.school,
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                email=data["email"],
                phone=data["phone"],
                roles=form.chosen_roles(),
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is on the staff with the login %(login)s: print their slip («New slip»).")
                % {"name": user.full_name, "login": user.username},
            )
            return redirect(f"{reverse('journal:accounts')}#staff-{user.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/staff_form.html", {"form": form, "person": None}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    """The staff roles a person of the school holds here (a role applies only in the school it is given in)."""
    deny_unless(rules.administers(request.user))
    person = school_member(request.school, user_id)
    if person is None:
        raise Http404("No such person in the school")
    held = sorted(r.value for r in person.roles_in(request.school.pk))
    form = StaffRolesForm(request.POST if request.method == "POST" else None, initial={"roles": held})
    if request.method == "POST" and form.is_valid():
        try:
            staff_roles_set(actor=request.user, school=request.school, user=person, roles=form.chosen_roles())
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The roles of %(name)s are saved.") % {"name": person.full_name})
            return redirect(f"{reverse('journal:accounts')}#staff-{person.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/staff_form.html", {"form": form, "person": person}, status=status)
