"""Weekly paper printouts (§1.10, §8.3) as generated documents: one PDF per class and week.

The parameters are the class and the week's Monday, so asking again for the same
class and week (a teacher's button, the weekly schedule) resets the one row and
replaces its file.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import ClassGroup
from reports.models import DocumentKind, GeneratedDocument
from reports.printouts import class_printout_filename, render_printout
from reports.selectors.weekly_printout import (
    class_students_in_week,
    classes_with_printouts,
    printout_students,
    week_bounds,
    week_label,
    weekly_printout,
)
from reports.services.documents import DocumentError, DocumentOutput, Progress, document_request


def printout_parameters(class_group: ClassGroup, monday: datetime.date, *, all_students: bool = False) -> dict:
    parameters: dict[str, object] = {"class_id": class_group.pk, "week": monday.isoformat()}
    if all_students:
        # Benchmarks only (manage.py bench_printouts --all-students): never the class's real document.
        parameters["all_students"] = True
    return parameters


def weekly_printout_request(
    *,
    actor: User | None,
    class_group: ClassGroup,
    week: datetime.date,
    all_students: bool = False,
    enqueue: bool = True,
) -> GeneratedDocument:
    """Ask for the class's printout of the week holding ``week`` (any day of it).

    Refused (``ValidationError``, nothing written) for a week outside the class's academic year
    and for a class where no parent asked for the printout that week: no document is made then.
    """
    monday, sunday = week_bounds(week)
    year = class_group.year
    if sunday < year.start or monday > year.end:
        raise ValidationError(
            _("The week %(week)s lies outside the academic year %(year)s.")
            % {"week": week_label(monday), "year": year.name}
        )
    if not all_students and not printout_students(class_group, monday):
        raise ValidationError(
            _("No parent of a student of class %(class)s asked for the paper printout in the week %(week)s.")
            % {"class": class_group, "week": week_label(monday)}
        )
    return document_request(
        actor=actor,
        school=year.school,
        kind=DocumentKind.WEEKLY_PRINTOUT,
        parameters=printout_parameters(class_group, monday, all_students=all_students),
        class_group=class_group,
        enqueue=enqueue,
    )


def weekly_printouts_request_all(*, today: datetime.date | None = None) -> list[GeneratedDocument]:
    """The schedule's job: this week's printout of every current class of every school that has printout students."""
    monday, _sunday = week_bounds(today or timezone.localdate())
    return [
        document_request(
            actor=None,
            school=class_group.year.school,
            kind=DocumentKind.WEEKLY_PRINTOUT,
            parameters=printout_parameters(class_group, monday),
            class_group=class_group,
        )
        for class_group in classes_with_printouts(None, monday)
    ]


def weekly_printout_build(document: GeneratedDocument, progress: Progress) -> DocumentOutput:
    """Make the PDF of a printout row: one page per printout student, progress after each chunk."""
    class_group = document.class_group
    if class_group is None:
        raise DocumentError(_("The class of this printout no longer exists."))
    monday = datetime.date.fromisoformat(document.parameters["week"])
    students = class_students_in_week(class_group, monday) if document.parameters.get("all_students") else None
    printout = weekly_printout(class_group, monday, students=students)
    total = len(printout.pages)
    if not total:
        raise DocumentError(
            _("No parent of a student of class %(class)s gets the paper printout for the week %(week)s any more.")
            % {"class": class_group, "week": printout.week_label}
        )
    progress(0, total)
    content = render_printout(printout, on_pages=lambda done: progress(done, total))
    return DocumentOutput(content=content, filename=class_printout_filename(class_group, monday))
