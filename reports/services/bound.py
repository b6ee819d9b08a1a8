"""The year-end bound journal of final marks (§7.4) and the archive of the year's class journal: the request
(a class, or the whole school), the builds the worker runs, and the check of a printed copy.

The whole school is one document that is made of the classes' own documents: it asks for each class's
(reusing one already made from the same data), makes those still queued itself while other workers take the
rest, and packs the finished ones in a ZIP. A killed worker loses at most the class it was making: the
others stay made, and the school's run, taken over by the recovery job, picks up where it was. A class whose
final marks are incomplete is listed in the school document's findings instead of being printed.
"""

from __future__ import annotations

import datetime
import io
import re
import time
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from journal.models import AcademicYear, ClassGroup, School
from journal.selectors.periods import grade_periods
from reports.builders.bound import BoundClass, Change, bound_class, snapshot_changes, year_marks_from
from reports.models import DocumentKind, DocumentStatus, GeneratedDocument, PrintedCopy
from reports.render import bound_journal_pdf
from reports.services.documents import (
    DocumentContinues,
    DocumentError,
    DocumentOutput,
    Progress,
    document_key,
    document_request,
    document_run,
)

BOUND_KINDS = (DocumentKind.BOUND_JOURNAL, DocumentKind.YEAR_ARCHIVE)
ZIP_TYPE = "application/zip"
# The school's run polls its classes this often while other workers make them…
POLL_SECONDS = 1.0
# …and gives its worker back after this share of the task's time limit, to go on in a new run.
WORK_SHARE = 0.6


def bound_parameters(year: AcademicYear, class_group: ClassGroup | None) -> dict[str, Any]:
    return {"year": year.pk, "class": class_group.pk if class_group is not None else None}


def bound_request(
    *,
    actor: User | None,
    year: AcademicYear,
    kind: str,
    class_group: ClassGroup | None = None,
    enqueue: bool = True,
) -> GeneratedDocument:
    """Queue the bound journal (or the year's archive) of a class, or of the whole school without one."""
    if kind not in BOUND_KINDS:
        raise DocumentError(_("Documents of this kind cannot be made."))
    if class_group is not None and class_group.year_id != year.pk:
        raise DocumentError(_("The class is not of this year."))
    if kind == DocumentKind.BOUND_JOURNAL:
        opens = bound_opens(year, class_group)
        if timezone.localdate() < opens:
            raise DocumentError(year_not_over(opens))
    return document_request(
        actor=actor,
        school=year.school,
        kind=kind,
        parameters=bound_parameters(year, class_group),
        class_group=class_group,
        enqueue=enqueue,
    )


def bound_opens(year: AcademicYear, class_group: ClassGroup | None) -> datetime.date:
    """The first day the bound journal of the class (of the school: of its first class) can be made: once the
    grade's last period is over and the year's marks can exist (:func:`year_marks_from`)."""
    grades = (
        [class_group.grade]
        if class_group is not None
        else sorted(set(ClassGroup.objects.filter(year=year).values_list("grade", flat=True)))
    )
    return min((year_marks_from(year, grade_periods(year.pk, g)) for g in grades), default=year.end)


def year_not_over(opens: datetime.date) -> str:
    """Why the bound journal is refused before the year's marks exist."""
    return _(
        "The journal of final marks is printed once the year's marks are set: the last period is not over, "
        "it can be made from %(day)s."
    ) % {"day": opens.strftime("%d.%m.%Y")}


def bound_document(year: AcademicYear, kind: str, class_group: ClassGroup | None) -> GeneratedDocument | None:
    """The one document of this kind for the class (the school without one), if it was ever asked for."""
    key = document_key(year.school_id, kind, bound_parameters(year, class_group))
    return GeneratedDocument.objects.filter(key=key).first()


def verify_url(fingerprint: str) -> str:
    """Where a printed sheet is checked: the QR code on every sheet opens it with the fingerprint filled in."""
    return f"{settings.SITE_URL}{reverse('reports:bound_verify')}?fp={fingerprint}"


# --- Builds ---------------------------------------------------------------------------------------------


def bound_document_build(document: GeneratedDocument, progress: Progress) -> DocumentOutput:
    try:
        year = AcademicYear.objects.select_related("school").get(
            school=document.school, pk=document.parameters.get("year")
        )
        class_group = (
            ClassGroup.objects.select_related("year__school", "class_teacher").get(
                year=year, pk=document.class_group_id
            )
            if document.class_group_id
            else None
        )
    except (ObjectDoesNotExist, ValueError, TypeError) as error:
        raise DocumentError(_("The document's class or year no longer exists.")) from error
    if class_group is None:
        return _school_build(document, year, progress)
    if document.kind == DocumentKind.YEAR_ARCHIVE:
        from reports.services.archive import year_archive_build

        return year_archive_build(class_group, progress)
    return _class_build(document, class_group, progress)


def _class_build(document: GeneratedDocument, class_group: ClassGroup, progress: Progress) -> DocumentOutput:
    progress(0, 2)
    bound = bound_class(class_group)
    if not bound.year_over:
        assert bound.opens is not None  # noqa: S101 - set by bound_class
        raise DocumentError(year_not_over(bound.opens))
    progress(1, 2)
    made = timezone.now()
    content, sheets = bound_journal_pdf(bound, verify_url=verify_url(bound.fingerprint), made=made)
    PrintedCopy.objects.update_or_create(
        fingerprint=bound.fingerprint,
        defaults={
            "document": document,
            "class_group": class_group,
            "snapshot": bound.snapshot,
            "sheets": sheets,
            "made_at": made,
        },
    )
    findings = [{"sheets": sheets, "missing": bound.missing_marks, "text": _class_summary(bound, sheets)}]
    return DocumentOutput(
        content=content, filename=f"{bound.filename}.pdf", fingerprint=bound.fingerprint, findings=findings
    )


def _class_summary(bound: BoundClass, sheets: int) -> str:
    text = ngettext("%(sheets)s sheet", "%(sheets)s sheets", sheets) % {"sheets": sheets}
    if not bound.complete:
        text += " · " + ngettext(
            "final marks incomplete: %(missing)s mark missing",
            "final marks incomplete: %(missing)s marks missing",
            bound.missing_marks,
        ) % {"missing": bound.missing_marks}
    return text


@dataclass
class _Part:
    class_group: ClassGroup
    document_id: int


def _school_build(document: GeneratedDocument, year: AcademicYear, progress: Progress) -> DocumentOutput:
    """The classes' documents in one ZIP; the incomplete classes (bound journal) and the failed ones listed."""
    kind = document.kind
    classes = list(
        ClassGroup.objects.filter(year=year).select_related("year__school", "class_teacher").order_by("grade", "letter")
    )
    findings: list[dict[str, Any]] = []
    parts: list[_Part] = []
    for class_group in classes:
        current = ""
        if kind == DocumentKind.BOUND_JOURNAL:
            bound = bound_class(class_group)
            if not bound.subjects:
                findings.append(_finding(class_group, _("no assessed subjects: nothing to bind")))
                continue
            if not bound.year_over:
                assert bound.opens is not None  # noqa: S101 - set by bound_class
                findings.append(_finding(class_group, year_not_over(bound.opens)))
                continue
            if not bound.complete:
                text = ngettext(
                    "final marks incomplete: %(missing)s mark missing",
                    "final marks incomplete: %(missing)s marks missing",
                    bound.missing_marks,
                ) % {"missing": bound.missing_marks}
                findings.append(_finding(class_group, text, missing=bound.missing_marks))
                continue
            current = bound.fingerprint
        child = bound_document(year, kind, class_group)
        reusable = (
            child is not None
            and child.is_done
            and (
                (current and child.fingerprint == current)
                or (child.finished_at is not None and child.finished_at >= document.requested_at)
            )
        )
        if not reusable:
            child = bound_request(actor=document.requested_by, year=year, kind=kind, class_group=class_group)
        assert child is not None  # noqa: S101 - requested just above
        parts.append(_Part(class_group, child.pk))
    skipped = len(classes) - len(parts)
    _make_parts(parts, skipped, len(classes), progress)
    children = {d.pk: d for d in GeneratedDocument.objects.filter(pk__in=[p.document_id for p in parts])}
    buffer = io.BytesIO()
    packed = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for part in parts:
            child = children[part.document_id]
            if not child.is_done:
                findings.append(_finding(part.class_group, child.error or _("the document could not be made")))
                continue
            with child.file.open("rb") as stored:
                archive.writestr(child.filename, stored.read())
            packed += 1
    if not packed:
        raise DocumentError(
            _("No class could be printed: %(reasons)s")
            % {"reasons": "; ".join(f"{f['class']}: {f['text']}" for f in findings) or _("the year has no classes")}
        )
    label = "bound-journal" if kind == DocumentKind.BOUND_JOURNAL else "year-archive"
    return DocumentOutput(
        content=buffer.getvalue(),
        filename=f"{label}-{year.start:%Y}-{year.end:%Y}.zip",
        content_type=ZIP_TYPE,
        findings=findings,
    )


def _finding(class_group: ClassGroup, text: str, **extra: Any) -> dict[str, Any]:
    return {"class": str(class_group), "class_id": class_group.pk, "text": text, **extra}


def _make_parts(parts: list[_Part], skipped: int, total: int, progress: Progress) -> None:
    """Make the classes' documents still queued in this run while other workers make others; wait for the
    ones they have. Past its share of the time limit the run yields (:class:`DocumentContinues`)."""
    ids = [p.document_id for p in parts]
    deadline = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT * WORK_SHARE
    while True:
        states = dict(GeneratedDocument.objects.filter(pk__in=ids).values_list("pk", "status"))
        over = [pk for pk in ids if states.get(pk) in (DocumentStatus.DONE, DocumentStatus.FAILED, None)]
        progress(skipped + len(over), total)
        if len(over) == len(ids):
            return
        if time.monotonic() > deadline:
            raise DocumentContinues
        queued = [pk for pk in ids if states.get(pk) == DocumentStatus.QUEUED]
        if queued:
            # Not claimed (another worker was quicker): the loop looks again.
            document_run(document_id=queued[0])
        else:
            time.sleep(POLL_SECONDS)


# --- The check of a printed copy ---------------------------------------------------------------------------

# What a reader may type: the 64 hexadecimal digits, with spaces, or the address the QR code holds.
_HEX = re.compile(r"[0-9a-f]{64}")
MIN_PREFIX = 16


def parse_fingerprint(text: str) -> str:
    """The fingerprint (or the start of one, at least 16 digits) in what was typed or scanned; "" if none."""
    cleaned = re.sub(r"[\s\-]", "", text.lower())
    found = _HEX.search(cleaned)
    if found:
        return found.group(0)
    return cleaned if len(cleaned) >= MIN_PREFIX and re.fullmatch(r"[0-9a-f]+", cleaned) else ""


@dataclass
class CopyCheck:
    copy: PrintedCopy
    current_fingerprint: str
    changes: list[Change]

    @property
    def matches(self) -> bool:
        return self.current_fingerprint == self.copy.fingerprint


def copy_check(copies: Any, fingerprint: str) -> CopyCheck | None:
    """The printed copy of ``fingerprint`` among ``copies`` (those the reader may see) against the journal
    as it is now; None when no such copy was made (or the reader may not see it)."""
    if not fingerprint:
        return None
    found = copies.filter(fingerprint__startswith=fingerprint).select_related(
        "class_group__year__school", "class_group__class_teacher", "document"
    )[:2]
    if len(found) != 1:
        return None
    copy = found[0]
    with transaction.atomic():
        current = bound_class(copy.class_group)
    return CopyCheck(copy, current.fingerprint, snapshot_changes(copy.snapshot, current.snapshot))


def bound_year(school: School | None) -> AcademicYear | None:
    """The year the bound journal is made of: the current one."""
    if school is None:
        return None
    return AcademicYear.objects.filter(school=school, is_current=True).select_related("school").first()
