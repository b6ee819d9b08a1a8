"""Lists of generated documents, already narrowed to the asking user."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from journal.models import ClassGroup, School
from reports.models import DocumentKind, GeneratedDocument


def own_documents(user: User, school: School | None) -> QuerySet[GeneratedDocument]:
    """What the user asked for in this school, newest first."""
    if school is None:
        return GeneratedDocument.objects.none()
    return (
        GeneratedDocument.objects.filter(school=school, requested_by=user)
        .select_related("class_group")
        .order_by("-requested_at", "-pk")
    )


def class_printout_documents(class_group: ClassGroup) -> QuerySet[GeneratedDocument]:
    """The class's weekly printouts, the latest week first (benchmark runs left out)."""
    return (
        GeneratedDocument.objects.filter(class_group=class_group, kind=DocumentKind.WEEKLY_PRINTOUT)
        .exclude(parameters__has_key="all_students")
        .select_related("requested_by")
        .order_by("-parameters__week", "-pk")
    )
