"""Documents made in the background (PDF, XLSX): one row per document, the row is the truth.

A row is found again by its ``key`` (kind + parameters), so asking twice for
the same document gives one row whose file is replaced. A worker claims a
queued row by a conditional UPDATE that writes a fresh ``run_token``; every
later write of that run (progress, the file, the failure) is conditional on
the token, so a run that the recovery job gave up on cannot overwrite the
newer one.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from journal.models import ClassGroup, School


class DocumentKind(models.TextChoices):
    WEEKLY_PRINTOUT = "weekly_printout", _("weekly paper printout")
    REPORT = "report", _("report")
    BOUND_JOURNAL = "bound_journal", _("journal of final marks for binding")
    YEAR_ARCHIVE = "year_archive", _("archive of the year's class journal")


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("in progress")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


ACTIVE_STATUSES = (DocumentStatus.QUEUED, DocumentStatus.RUNNING)


def document_upload_to(instance: GeneratedDocument, filename: str) -> str:
    """Random names outside the web root; the readable name is kept in the row."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"documents/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class GeneratedDocument(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="documents", verbose_name=_("school"))
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    # sha256 of the school, the kind and the parameters in canonical JSON.
    key = models.CharField(_("key"), max_length=64, unique=True)
    # The class a class document is about: its class teacher may download it.
    class_group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("class"),
    )
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    progress_done = models.PositiveIntegerField(_("pages made"), default=0)
    progress_total = models.PositiveIntegerField(_("pages in all"), default=0)
    file = models.FileField(_("file"), upload_to=document_upload_to, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty: made on schedule."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    requested_at = models.DateTimeField(_("requested"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # The run writes it every few seconds while it works: a run whose heartbeat stopped (a killed worker)
    # is taken over within two minutes (reports.services.documents.documents_recover).
    heartbeat_at = models.DateTimeField(_("last sign of the run"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A bound journal: the SHA-256 of the data it prints (on every sheet); every copy made is kept as a
    # PrintedCopy, whose data a printed sheet is checked against.
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, blank=True)
    # What the run found and the reader should know (the classes left out of the school's bound journal).
    findings = models.JSONField(_("findings"), default=list, blank=True)
    run_token = models.UUIDField(_("run token"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ("-requested_at", "-pk")
        indexes = [
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["requested_by", "-requested_at"]),
            models.Index(fields=["class_group", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DocumentStatus]), name="document_status_known"
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")), name="document_progress_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == DocumentStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def week_start(self) -> datetime.date | None:
        """The Monday of a weekly document."""
        week = self.parameters.get("week") if isinstance(self.parameters, dict) else None
        return datetime.date.fromisoformat(week) if week else None

    @property
    def title(self) -> str:
        """What the document is: a report's own title (:mod:`reports.kinds`), else the kind."""
        if self.kind in (DocumentKind.BOUND_JOURNAL, DocumentKind.YEAR_ARCHIVE):
            # A class's document is listed with its class; the school's says so.
            if self.class_group_id is None:
                return f"{self.get_kind_display()} · {_('the whole school')}"
            return str(self.get_kind_display())
        if self.kind == DocumentKind.REPORT and isinstance(self.parameters, dict):
            from reports.kinds import KINDS

            kind = KINDS.get(str(self.parameters.get("report")))
            if kind is not None:
                suffix = " (PDF)" if self.parameters.get("format") == "pdf" else " (Excel)"
                return str(kind.title) + suffix
        return str(self.get_kind_display())

    @property
    def counts_classes(self) -> bool:
        """A report's (a bound journal's) progress counts classes or steps; a printout's counts pages."""
        return self.kind != DocumentKind.WEEKLY_PRINTOUT

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status == DocumentStatus.DONE and bool(self.file)


class PrintedCopy(models.Model):
    """A bound journal as it was printed: its fingerprint and the data behind it (§7.4).

    One row per fingerprint, kept when the document is made again with other data: a copy printed in June
    is still checked in September against what it printed.
    """

    document = models.ForeignKey(
        GeneratedDocument, on_delete=models.CASCADE, related_name="printed_copies", verbose_name=_("document")
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="printed_copies", verbose_name=_("class")
    )
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, unique=True)
    snapshot = models.JSONField(_("printed data"))
    sheets = models.PositiveIntegerField(_("sheets"))
    made_at = models.DateTimeField(_("made"))

    class Meta:
        verbose_name = _("printed copy of the bound journal")
        verbose_name_plural = _("printed copies of the bound journal")
        ordering = ("-made_at",)

    def __str__(self) -> str:
        return f"{self.class_group} {self.fingerprint[:12]}"
