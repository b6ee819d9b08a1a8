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
from reports.models import GeneratedDocument


def documents_visible_to(user: User, school: School | None) -> QuerySet[GeneratedDocument]:
    """Documents of the school the user may open: their own requests; a class's documents for
    its class teacher; everything of the school for the administration (deputy, director, administrator)."""
    if school is None:
        return GeneratedDocument.objects.none()
    qs = GeneratedDocument.objects.filter(school=school)
    if reads_whole_school(user):
        return qs
    return qs.filter(Q(requested_by=user) | Q(class_group__in=classes_led_by(user, school).values("pk")))


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
