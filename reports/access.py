"""Generated documents and printout pages for a user: 404 outside the scope, 403 visible but not allowed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from journal import rules
from journal.access import get_class_for_user
from journal.models import ClassGroup, School
from journal.rules import reads_whole_school
from journal.selectors.scope import classes_led_by
from reports.kinds import KINDS, ReportKind
from reports.models import DocumentKind, GeneratedDocument, PrintedCopy

# The documents that are the school's reports: read by the director and the deputy, not the administrator.
READ_WITH_REPORTS = (DocumentKind.REPORT, DocumentKind.BOUND_JOURNAL, DocumentKind.YEAR_ARCHIVE)


def documents_visible_to(user: User, school: School | None) -> QuerySet[GeneratedDocument]:
    """Documents of the school the user may open: their own requests; a class's documents for
    its class teacher; everything of the school for the director and the deputy, and everything but the
    reports for the administrator."""
    if school is None:
        return GeneratedDocument.objects.none()
    qs = GeneratedDocument.objects.filter(school=school)
    if rules.reads_school_reports(user):
        return qs
    own = Q(requested_by=user) | Q(class_group__in=classes_led_by(user, school).values("pk"))
    if reads_whole_school(user):
        # The administrator: every printout, but reports and bound journals only their own (§3.6).
        return qs.filter(~Q(kind__in=READ_WITH_REPORTS) | own)
    return qs.filter(own)


def get_document_for_user(user: User, school: School | None, document_id: int) -> GeneratedDocument:
    document = (
        documents_visible_to(user, school).select_related("class_group", "requested_by").filter(pk=document_id).first()
    )
    if document is None:
        raise Http404("No such document in your scope")
    return document


def get_printout_class_for_user(user: User, school: School | None, class_id: int) -> ClassGroup:
    """The class of the printouts page: 404 if the user does not see the class, 403 if they only teach in it."""
    class_group = get_class_for_user(user, school, class_id)
    if not rules.manages_class_documents(user, school, class_group):
        raise PermissionDenied
    return class_group


def report_classes_for(user: User, school: School | None) -> QuerySet[ClassGroup]:
    """The classes whose reports the user may ask for: all of the school for the director and the deputy,
    the led ones for a class teacher (:func:`journal.rules.reads_class_reports`), none for anyone else."""
    if school is None or not rules.is_staff(user):
        return ClassGroup.objects.none()
    classes = ClassGroup.objects.filter(year__school=school).select_related("year__school")
    if rules.reads_school_reports(user):
        return classes.order_by("grade", "letter")
    return classes.filter(pk__in=classes_led_by(user, school).values("pk")).order_by("grade", "letter")


def get_report_kind_for_user(user: User, school: School | None, code: str) -> ReportKind:
    """A report kind the user may ask for: 404 for an unknown one, 403 for a user with no class to report
    on (parents, students, a teacher who leads no class, the administrator who is not a deputy)."""
    kind = KINDS.get(code)
    if kind is None:
        raise Http404("No such report")
    if not rules.reads_reports(user, school):
        raise PermissionDenied
    return kind


def copies_visible_to(user: User, school: School | None) -> QuerySet[PrintedCopy]:
    """The printed copies of bound journals a user may check: every class's for those who make them, their
    classes' for a class teacher, none for anyone else (families included)."""
    if school is None or not rules.is_staff(user):
        return PrintedCopy.objects.none()
    copies = PrintedCopy.objects.filter(class_group__year__school=school)
    if rules.makes_bound_journal(user):
        return copies
    return copies.filter(class_group__in=classes_led_by(user, school).values("pk"))


def bound_classes_for(user: User, school: School | None) -> QuerySet[ClassGroup]:
    """The classes of the bound-journal page: every class for its makers, the led ones for a class teacher;
    403 for anyone else."""
    if school is None or not rules.is_staff(user):
        raise PermissionDenied
    if rules.makes_bound_journal(user):
        return ClassGroup.objects.filter(year__school=school)
    led = classes_led_by(user, school)
    if not led.exists():
        raise PermissionDenied
    return ClassGroup.objects.filter(pk__in=led.values("pk"))
