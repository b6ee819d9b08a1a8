"""Contact data (§3.7, §4.3, §5.3.1, §5.6): the class teacher's page of the class's parents (edit with
history, the monthly «проверено», the parents' requests), and a parent's own data with a request to
correct it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.decorators import deny_unless, staff_required
from core.messages import error_text
from core.params import int_param, text_param
from journal import rules
from journal.access import get_class_for_user
from journal.selectors.contacts import (
    class_contact_history,
    class_contact_requests,
    class_contacts,
    class_parent,
    month_check,
    requests_of_parent,
)
from journal.selectors.scope import children_of, children_without_consent
from journal.selectors.timetable import day_in_year
from journal.services.contacts import (
    contact_request,
    contact_request_resolve,
    contacts_checked,
    contacts_update,
    month_of,
)


@staff_required
@require_http_methods(["GET", "POST"])
def class_contacts_view(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    deny_unless(rules.keeps_contacts(request.user, request.school, class_group.pk))
    day = day_in_year(class_group.year)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update":
                parent = class_parent(class_group, int_param(request, "person"), day)
                if parent is None:
                    raise ValidationError(_("Choose the parent."))
                changed = contacts_update(
                    actor=request.user,
                    person=parent,
                    phone=text_param(request, "phone"),
                    email=text_param(request, "email"),
                )
                messages.success(
                    request,
                    _("%(name)s: saved.") % {"name": parent.full_name} if changed else _("Nothing has changed."),
                )
            elif action == "check":
                contacts_checked(actor=request.user, class_group=class_group, day=day)
                messages.success(request, _("The class's contact data is marked checked for this month."))
            elif action == "resolve":
                found = class_contact_requests(class_group, day).filter(pk=int_param(request, "request")).first()
                if found is None:
                    raise ValidationError(_("The request is not found."))
                contact_request_resolve(actor=request.user, request=found)
                messages.success(request, _("The request is closed."))
            else:
                raise ValidationError(_("Choose what to do."))
        except ValidationError as error:
            messages.error(request, error_text(error))
            status = 400
        else:
            return redirect(reverse("journal:class_contacts", args=[class_group.pk]))
    context = {
        "class_group": class_group,
        "rows": class_contacts(class_group, day),
        "history": class_contact_history(class_group, day),
        "requests": class_contact_requests(class_group, day),
        "check": month_check(class_group, month_of(day)),
        "month": month_of(day),
    }
    return render(request, "journal/classes/contacts.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def my_contacts(request: HttpRequest) -> HttpResponse:
    """A parent's own contact data as the school keeps it, and a request to correct it (§5.3.1)."""
    if not rules.is_parent(request.user):
        raise Http404("Only for parents")
    children = list(children_of(request.user, request.school)) + list(
        children_without_consent(request.user, request.school)
    )
    status = 200
    if request.method == "POST":
        student = next(
            (c for c in children if c.pk == int_param(request, "student")), children[0] if children else None
        )
        try:
            if student is None:
                raise ValidationError(_("You have no child in this school."))
            contact_request(actor=request.user, student=student, text=text_param(request, "text"))
        except ValidationError as error:
            messages.error(request, error_text(error))
            status = 400
        else:
            messages.success(request, _("The request is sent to the class teacher."))
            return redirect("journal:my_contacts")
    asked = requests_of_parent(request.user)
    return render(request, "journal/my_contacts.html", {"children": children, "asked": asked}, status=status)
