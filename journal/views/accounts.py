"""The administrator's accounts screens (§3.2, §3.3, §4.1): a class's students and parents with their logins;
logins issued in bulk or one by one, each as a printable slip (Appendix 2); a login disabled or enabled."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services.logins import Slip
from core.decorators import deny_unless, staff_required
from core.messages import error_text
from core.pdf import render_pdf
from core.responses import pdf_response
from journal import rules
from journal.access import get_class_for_user
from journal.models import ClassGroup
from journal.selectors.accounts import AccountRow, class_accounts, school_account, school_staff
from journal.selectors.timetable import day_in_year
from journal.services.logins import class_logins_issue, login_set_active, person_login_issue


def _slips_pdf(slips: list[Slip], name: str) -> HttpResponse:
    pdf = render_pdf("accounts/slips.html", {"slips": slips, "made": timezone.localtime()}, page_numbers=False)
    return pdf_response(pdf, f"{name}.pdf")


@staff_required
def accounts_index(request: HttpRequest) -> HttpResponse:
    """The classes of the current year, each a link to its accounts."""
    deny_unless(rules.administers(request.user))
    classes = ClassGroup.objects.filter(year__school=request.school, year__is_current=True).order_by("grade", "letter")
    staff = school_staff(request.school).prefetch_related("groups")
    return render(request, "accounts/accounts_index.html", {"classes": classes, "staff": staff})


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
        {"class_group": class_group, "rows": rows, "never_used": sum(1 for row in rows if row.never_used)},
        status=status,
    )


def _person(request: HttpRequest, user_id: int) -> AccountRow:
    deny_unless(rules.administers(request.user))
    row = school_account(request.school, user_id)
    if row is None:
        raise Http404("No such person in the school")
    return row


@staff_required
@require_POST
def account_reissue(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new slip for one person: the old password is void at once."""
    row = _person(request, user_id)
    try:
        slip = person_login_issue(actor=request.user, row=row, school=request.school.name)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(request.POST.get("next") or reverse("journal:accounts"))
    return _slips_pdf([slip], f"login-{slip.login}")


@staff_required
@require_POST
def account_active(request: HttpRequest, user_id: int) -> HttpResponse:
    row = _person(request, user_id)
    assert row.user is not None  # noqa: S101 - found by the user's id
    active = request.POST.get("active") == "1"
    try:
        login_set_active(actor=request.user, user=row.user, active=active)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        text = _("The login %(login)s is enabled.") if active else _("The login %(login)s is disabled.")
        messages.success(request, text % {"login": row.user.username})
    return redirect(request.POST.get("next") or reverse("journal:accounts"))
