"""Thin Celery wrappers: ids in, the services do the work (idempotent, bounded retries)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from messaging.services.notifications import (
    digest_recipients,
    digest_send,
    notification_email_send,
    pending_notification_ids,
)

# Transient: the mail server refused or could not be reached. Anything else is a bug and is not retried.
TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "max_retries": 5,
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "acks_late": True,
}


@shared_task(name="messaging.send_notification_email", **RETRY)
def send_notification_email(notification_id: int) -> bool:
    return notification_email_send(notification_id=notification_id)


@shared_task(name="messaging.send_digest_email", **RETRY)
def send_digest_email(user_id: int) -> int:
    return digest_send(user_id=user_id)


@shared_task(name="messaging.send_daily_digests", max_retries=0, acks_late=True)
def send_daily_digests() -> int:
    """Daily (beat): one letter per user on the digest, each its own task with its own retries."""
    users = digest_recipients()
    for user_id in users:
        send_digest_email.delay(user_id)
    return len(users)


@shared_task(name="messaging.send_pending_emails", max_retries=0, acks_late=True)
def send_pending_emails() -> int:
    """Every few minutes (beat): the notifications whose e-mail was never enqueued (the broker was down when
    they were saved) are enqueued again; each is sent once."""
    ids = pending_notification_ids()
    for pk in ids:
        send_notification_email.delay(pk)
    return len(ids)
