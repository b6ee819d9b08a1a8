"""Generated documents: request, run (claimed by one worker), finish or fail, recover lost runs.

The row is the truth (DESIGN.md, "Security and reliability defaults"): a
request creates or resets the one row of its kind and parameters and enqueues
its id after the commit; a worker claims the row with a conditional UPDATE and
writes a fresh ``run_token``; progress, the file and a failure are written only
while the token is still the row's. A message that is lost (broker down, worker
killed) leaves the row queued or running, and :func:`documents_recover` enqueues
it again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import ClassGroup, School
from reports.models import ACTIVE_STATUSES, DocumentKind, DocumentStatus, GeneratedDocument

logger = logging.getLogger(__name__)

# Worth another attempt: the database or the disk may be back in a moment.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, OSError)
# A row claimed this often without finishing (a worker killed by memory, a deploy) is given up.
MAX_ATTEMPTS = 5


class DocumentError(Exception):
    """A document that cannot be made; the message (ours, translated) is shown to the user."""


class DocumentContinues(Exception):  # noqa: N818 - not an error: the run yields its place and goes on later
    """A run that waits for others (the school's bound journal for its classes) gives its worker back: the row
    goes back to the queue, the attempt uncounted, and is enqueued again."""


@dataclass
class DocumentOutput:
    content: bytes
    filename: str
    content_type: str = "application/pdf"
    fingerprint: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)


Progress = Callable[[int, int], None]


def document_key(school_id: int, kind: str, parameters: dict[str, Any]) -> str:
    """The identity of a document: the same school, kind and parameters give the same key."""
    canonical = json.dumps([school_id, kind, parameters], sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _enqueue(document_id: int) -> None:
    from reports.tasks import run_document

    try:
        run_document.delay(document_id)
    except Exception:  # noqa: BLE001 — a broker outage must not fail the request: the row stays queued
        logger.exception("Could not enqueue document %s; the recovery job will", document_id)


@transaction.atomic
def document_request(
    *,
    actor: User | None,
    school: School,
    kind: str,
    parameters: dict[str, Any],
    class_group: ClassGroup | None = None,
    enqueue: bool = True,
) -> GeneratedDocument:
    """The one row of this kind and parameters, (re)queued and enqueued after the commit.

    A row already queued or running is returned as it is (one run at a time). A finished or
    failed one is reset: its file stays until the new run replaces it. ``actor`` None: the
    schedule asked (an earlier requester stays recorded).
    """
    now = timezone.now()
    document, created = GeneratedDocument.objects.select_for_update().get_or_create(
        key=document_key(school.pk, kind, parameters),
        defaults={
            "school": school,
            "kind": kind,
            "parameters": parameters,
            "class_group": class_group,
            "requested_by": actor,
            "requested_at": now,
        },
    )
    if not created:
        if document.status in ACTIVE_STATUSES:
            return document
        document.status = DocumentStatus.QUEUED
        document.requested_at = now
        if actor is not None:
            document.requested_by = actor
        document.progress_done = document.progress_total = 0
        document.started_at = document.finished_at = None
        document.error = ""
        document.attempts = 0
        document.run_token = None
        document.save(
            update_fields=[
                "status",
                "requested_at",
                "requested_by",
                "progress_done",
                "progress_total",
                "started_at",
                "finished_at",
                "error",
                "attempts",
                "run_token",
            ]
        )
    if enqueue:
        _enqueue_after_commit(document.pk)
    return document


def _enqueue_after_commit(document_id: int) -> None:
    """The document's job after the commit; a broker down is logged, the row stays queued and the
    recovery job enqueues it once the broker is back."""

    def enqueue() -> None:
        _enqueue(document_id)

    transaction.on_commit(enqueue, robust=True)


def document_claim(*, document_id: int) -> tuple[GeneratedDocument, uuid.UUID] | None:
    """Take a queued row for this run (one conditional UPDATE); None if another run has it or it is over."""
    token = uuid.uuid4()
    claimed = GeneratedDocument.objects.filter(pk=document_id, status=DocumentStatus.QUEUED).update(
        status=DocumentStatus.RUNNING,
        run_token=token,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        finished_at=None,
        attempts=F("attempts") + 1,
        progress_done=0,
    )
    if not claimed:
        return None
    return GeneratedDocument.objects.select_related("school", "class_group").get(pk=document_id), token


def _ours(document_id: int, token: uuid.UUID) -> QuerySet[GeneratedDocument]:
    return GeneratedDocument.objects.filter(pk=document_id, run_token=token, status=DocumentStatus.RUNNING)


def document_progress(*, document_id: int, token: uuid.UUID, done: int, total: int) -> None:
    _ours(document_id, token).update(progress_done=min(done, total), progress_total=total, heartbeat_at=timezone.now())


def heartbeat_every() -> datetime.timedelta:
    """How often a run says it is alive (``DOCUMENT_HEARTBEAT_SECONDS``)."""
    return datetime.timedelta(seconds=settings.DOCUMENT_HEARTBEAT_SECONDS)


def heartbeat_stale() -> datetime.timedelta:
    """After how long without a sign a run is taken over (``DOCUMENT_STALE_SECONDS``)."""
    return datetime.timedelta(seconds=settings.DOCUMENT_STALE_SECONDS)


class _Heartbeat:
    """A thread that writes the run's heartbeat while a long step (one PDF chunk) gives no progress; its own
    database connection, closed when it stops."""

    def __init__(self, document_id: int, token: uuid.UUID) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, args=(document_id, token), daemon=True)

    def _beat(self, document_id: int, token: uuid.UUID) -> None:
        try:
            while not self.stop.wait(heartbeat_every().total_seconds()):
                _ours(document_id, token).update(heartbeat_at=timezone.now())
        except DatabaseError:
            logger.warning("Document %s: heartbeat not written", document_id)
        finally:
            connection.close()

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _build(document: GeneratedDocument, progress: Progress) -> DocumentOutput:
    if document.kind == DocumentKind.WEEKLY_PRINTOUT:
        from reports.services.printouts import weekly_printout_build

        return weekly_printout_build(document, progress)
    if document.kind == DocumentKind.REPORT:
        from reports.services.reports import report_document_build

        return report_document_build(document, progress)
    if document.kind in (DocumentKind.BOUND_JOURNAL, DocumentKind.YEAR_ARCHIVE):
        from reports.services.bound import bound_document_build

        return bound_document_build(document, progress)
    raise DocumentError(_("Documents of this kind cannot be made."))


def _transient_reason(error: BaseException) -> str:
    if isinstance(error, DatabaseError):
        return _("The database was not available.")
    return _("The document file could not be written.")


def document_run(*, document_id: int, final_attempt: bool = True) -> GeneratedDocument | None:
    """Claim the row, build the document, store its file; None when there was nothing to claim.

    Not one transaction: progress must be seen while the pages are made. A transient error
    (database, disk) puts the row back in the queue and is raised for the task to retry, unless
    this is the ``final_attempt``: then, like any other error, it marks the row failed with the
    reason. Messages are written in the site's language (they are read later, by someone else).
    """
    claimed = document_claim(document_id=document_id)
    if claimed is None:
        return None
    document, token = claimed

    def progress(done: int, total: int) -> None:
        document_progress(document_id=document_id, token=token, done=done, total=total)

    with translation.override(settings.LANGUAGE_CODE):
        try:
            with _Heartbeat(document_id, token):
                output = _build(document, progress)
            return _finish(document, token, output)
        except DocumentError as error:
            return _fail(document_id, token, str(error))
        except DocumentContinues:
            _ours(document_id, token).update(
                status=DocumentStatus.QUEUED, run_token=None, attempts=F("attempts") - 1, heartbeat_at=None
            )
            _enqueue_after_commit(document_id)
            return GeneratedDocument.objects.get(pk=document_id)
        except TRANSIENT_ERRORS as error:
            logger.warning("Document %s: attempt %s failed: %r", document_id, document.attempts, error)
            reason = _transient_reason(error)
            if final_attempt:
                message = _("%(reason)s The document could not be made in %(attempts)s attempts.") % {
                    "reason": reason,
                    "attempts": document.attempts,
                }
                return _fail(document_id, token, message)
            _ours(document_id, token).update(status=DocumentStatus.QUEUED, run_token=None, error=reason)
            raise
        except SoftTimeLimitExceeded:
            logger.warning("Document %s: stopped at the time limit", document_id)
            return _fail(document_id, token, _("Making the document took too long and was stopped."))
        except Exception:
            logger.exception("Document %s failed", document_id)
            return _fail(
                document_id,
                token,
                _("An unexpected error occurred while making the document; the administrator will find it in the log."),
            )


def _finish(document: GeneratedDocument, token: uuid.UUID, output: DocumentOutput) -> GeneratedDocument:
    """Store the new file, then point the row at it; the old file goes once that is committed."""
    field = GeneratedDocument._meta.get_field("file")
    storage = document.file.storage
    old_name = document.file.name
    stored = storage.save(field.generate_filename(document, output.filename), ContentFile(output.content))
    with transaction.atomic():
        updated = _ours(document.pk, token).update(
            status=DocumentStatus.DONE,
            file=stored,
            filename=output.filename,
            content_type=output.content_type,
            size=len(output.content),
            fingerprint=output.fingerprint,
            findings=output.findings,
            progress_done=F("progress_total"),
            finished_at=timezone.now(),
            error="",
            run_token=None,
        )
        if not updated:
            # The recovery job gave this run up and a newer one owns the row: keep its file, drop ours.
            transaction.on_commit(lambda: storage.delete(stored))
        elif old_name and old_name != stored:
            transaction.on_commit(lambda: storage.delete(old_name))
    document.refresh_from_db()
    return document


def _fail(document_id: int, token: uuid.UUID, reason: str) -> GeneratedDocument:
    _ours(document_id, token).update(
        status=DocumentStatus.FAILED, error=reason, finished_at=timezone.now(), run_token=None
    )
    return GeneratedDocument.objects.get(pk=document_id)


def _stuck_running_after() -> datetime.timedelta:
    # After the hard time limit the worker has killed the task: the run is certainly over.
    return datetime.timedelta(seconds=int(settings.CELERY_TASK_TIME_LIMIT) + 60)


STUCK_QUEUED_AFTER = datetime.timedelta(minutes=10)


def documents_recover(*, now: datetime.datetime | None = None) -> int:
    """Enqueue again the rows a lost message left queued, and those whose run stopped beating (a killed
    worker: within :func:`heartbeat_stale` and the beat's minute); give up after ``MAX_ATTEMPTS``.

    Returns how many were enqueued. Enqueuing a row twice is harmless: only one run claims it.
    """
    now = now or timezone.now()
    stuck = GeneratedDocument.objects.filter(status=DocumentStatus.RUNNING).filter(
        Q(heartbeat_at__lt=now - heartbeat_stale())
        | Q(heartbeat_at__isnull=True, started_at__lt=now - _stuck_running_after())
    )
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=DocumentStatus.FAILED,
            error=_("Making the document was interrupted %(attempts)s times; it has been given up.")
            % {"attempts": MAX_ATTEMPTS},
            finished_at=now,
            run_token=None,
        )
        requeued = list(stuck.values_list("pk", flat=True))
        stuck.filter(pk__in=requeued).update(
            status=DocumentStatus.QUEUED,
            error=_("Making the document was interrupted; it has been queued again."),
            run_token=None,
        )
        waiting = GeneratedDocument.objects.filter(
            status=DocumentStatus.QUEUED, requested_at__lt=now - STUCK_QUEUED_AFTER
        ).values_list("pk", flat=True)
        ids = sorted(set(requeued) | set(waiting))
        for document_id in ids:
            _enqueue_after_commit(document_id)
    return len(ids)
