"""The bound journal of final marks and the year's archive (§7.4): the page per class and for the whole
school, the request, and the check of a printed copy by its fingerprint."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import staff_required
from journal import rules
from reports.access import bound_classes_for, copies_visible_to
from reports.models import DocumentKind
from reports.selectors.bound import bound_page
from reports.services.bound import BOUND_KINDS, bound_request, bound_year, copy_check, parse_fingerprint
from reports.services.documents import DocumentError
from reports.views.documents import flash_requested


@staff_required
@require_GET
def bound_index(request: HttpRequest) -> HttpResponse:
    """Per class: the deadline, the final marks missing, the bound journal and the archive with their state;
    the whole school's for those who make them."""
    classes = bound_classes_for(request.user, request.school)
    year = bound_year(request.school)
    page = None
    if year is not None:
        own = list(classes.filter(year=year).select_related("year__school").order_by("grade", "letter"))
        page = bound_page(year, own, timezone.localdate())
    return render(
        request,
        "reports/bound_index.html",
        {"page": page, "makes": rules.makes_bound_journal(request.user)},
    )


@staff_required
@require_POST
def bound_make(request: HttpRequest) -> HttpResponse:
    """Queue the bound journal or the archive of a class (``class``) or of the whole school."""
    if not rules.makes_bound_journal(request.user):
        raise PermissionDenied
    year = bound_year(request.school)
    kind = request.POST.get("kind", "")
    if year is None or kind not in BOUND_KINDS:
        raise Http404("No such document")
    class_group = None
    wanted = request.POST.get("class", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404("No such class")
        class_group = bound_classes_for(request.user, request.school).filter(year=year, pk=wanted).first()
        if class_group is None:
            raise Http404("No such class in your scope")
    try:
        document = bound_request(actor=request.user, year=year, kind=kind, class_group=class_group)
    except DocumentError as error:
        messages.error(request, str(error))
        return redirect("reports:bound_index")
    what = _("The journal of final marks") if kind == DocumentKind.BOUND_JOURNAL else _("The archive of the year")
    flash_requested(
        request,
        document,
        ready=_("%(what)s is ready.") % {"what": what},
        making=_("%(what)s is being made; the row shows how far it has got.") % {"what": what},
    )
    return redirect(f"{reverse('reports:bound_index')}#document-status-{document.pk}")


@staff_required
@require_GET
def bound_verify(request: HttpRequest) -> HttpResponse:
    """Type (or scan) the fingerprint of a printed sheet: the copy it belongs to, and whether the journal
    still holds the same data, or what changed since it was printed."""
    copies = copies_visible_to(request.user, request.school)
    if not copies.exists() and not rules.reads_reports(request.user, request.school):
        raise PermissionDenied
    typed = request.GET.get("fp", "")[:300]
    fingerprint = parse_fingerprint(typed)
    check = copy_check(copies, fingerprint) if fingerprint else None
    return render(
        request,
        "reports/bound_verify.html",
        {
            "typed": typed,
            "fingerprint": fingerprint,
            "check": check,
            "asked": bool(typed.strip()),
        },
    )
