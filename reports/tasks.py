"""Thin Celery tasks of the generated documents: ids in, one service call, bounded retries."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from reports.services.documents import TRANSIENT_ERRORS, document_run, documents_recover
from reports.services.printouts import weekly_printouts_request_all

MAX_RETRIES = 5


def backoff(retries: int) -> int:
    """Seconds before the next attempt: 10, 20, 40, 80, 160."""
    return 10 * 2**retries


@shared_task(bind=True, name="reports.run_document", max_retries=MAX_RETRIES, acks_late=True)
def run_document(self: Any, document_id: int) -> str:
    """Make one document; a transient error (database, disk) is retried, the last attempt fails the row."""
    try:
        document = document_run(document_id=document_id, final_attempt=self.request.retries >= self.max_retries)
    except TRANSIENT_ERRORS as error:
        if self.request.is_eager:
            # No broker (the zero-setup run, tests): Celery's retry would raise out of the request;
            # try again at once, counting the attempt as the worker would.
            return str(run_document.apply(args=(document_id,), retries=self.request.retries + 1).get())
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    return document.status if document is not None else "not claimed"


@shared_task(name="reports.request_weekly_printouts", acks_late=True)
def request_weekly_printouts() -> int:
    """Weekly (settings.WEEKLY_PRINTOUT_DAY/TIME): this week's printout of every class with printout students."""
    return len(weekly_printouts_request_all())


@shared_task(name="reports.recover_documents", acks_late=True)
def recover_documents() -> int:
    """Every few minutes: enqueue again the documents a lost message left behind."""
    return documents_recover()
