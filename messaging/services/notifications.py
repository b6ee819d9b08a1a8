"""Notifications (§4.4, §8.2): the parents' of a mark of 2 or lower, an unexcused absence, a final mark;
the class teacher's of a mark of 2 or lower and an unexcused absence in the class.

The journal's services call ``notify_*`` inside their transaction, after the
row is saved. Each writes one notification per parent with an active link and
enqueues the e-mails with ``transaction.on_commit``, so a rolled-back save
notifies nobody and the worker never looks for a row that is not there yet.
Whether the value is new is read from the row's history (django-simple-history
writes it in the same transaction): saving the same value again tells nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import Role
from journal.models import (
    Attendance,
    AttendanceReason,
    AttendanceStatus,
    ClassGroupUserObjectPermission,
    Course,
    FinalMark,
    Mark,
    ParentLink,
    Student,
)
from journal.models.marks import FinalMarkKind
from messaging.models import EmailMode, Notification, NotificationAudience, NotificationKind, NotificationPreference
from messaging.selectors.notifications import notification_link

LOW_MARKS = frozenset({"1", "2"})
# Period and year marks are what the parents are told of (§8.2); exam and final marks have their own procedure.
NOTIFIED_FINAL_KINDS = frozenset(
    {FinalMarkKind.QUARTER, FinalMarkKind.TRIMESTER, FinalMarkKind.HALF_YEAR, FinalMarkKind.YEAR}
)
DIGEST_WINDOW = datetime.timedelta(days=1)


def _previous(history: QuerySet[Any], *fields: str) -> tuple[Any, ...] | None:
    """The row's state before the save just made (``None`` if it was created now)."""
    rows = list(history.order_by("-history_date", "-history_id").values_list(*fields)[:2])
    return tuple(rows[1]) if len(rows) > 1 else None


def _enqueue(ids: Sequence[int]) -> None:
    from messaging.tasks import send_notification_email

    for pk in ids:
        send_notification_email.delay(pk)


def _email_after_commit(rows: list[Notification], recipients: Sequence[int]) -> None:
    """The e-mails of those who want each notification by e-mail and have an address, after the commit."""
    digest_or_off = set(
        NotificationPreference.objects.filter(user_id__in=recipients)
        .exclude(email_mode=EmailMode.EACH)
        .values_list("user_id", flat=True)
    )
    with_email = set(User.objects.filter(pk__in=recipients).exclude(email="").values_list("pk", flat=True))
    to_mail = [n.pk for n in rows if n.recipient_id in with_email and n.recipient_id not in digest_or_off]
    if to_mail:

        def enqueue() -> None:
            _enqueue(to_mail)

        # robust: a broker failure is logged and the saved row stays saved; the notification row is the
        # outbox, and :func:`pending_notification_ids` finds it for the beat job once the broker is back.
        # (A named function: Django logs a failing robust callback by its ``__qualname__``.)
        transaction.on_commit(enqueue, robust=True)


def _notify(
    *,
    student: Student,
    kind: str,
    text: str,
    course: Course | None,
    day: datetime.date | None,
    class_teachers_of: Course | None = None,
    actor_id: int | None = None,
) -> list[Notification]:
    """One notification per parent with an active link and, with ``class_teachers_of``, per class teacher
    of that course's class (§4.4) other than the ``actor`` who wrote the row; the e-mails after the commit."""
    parents = list(
        # No consent to personal-data processing (§1.9): no electronic notice and no e-mail, the paper only.
        ParentLink.objects.filter(
            student=student, ended_at__isnull=True, parent__is_active=True, consent_given_at__isnull=False
        )
        .values_list("parent_id", flat=True)
        .distinct()
    )
    teachers: list[int] = []
    if class_teachers_of is not None:
        teachers = [
            pk
            for pk in ClassGroupUserObjectPermission.objects.filter(
                permission__codename="lead_classgroup",
                content_object_id=class_teachers_of.class_group_id,
                user__is_active=True,
            )
            .values_list("user_id", flat=True)
            .distinct()
            if pk != actor_id and pk not in parents
        ]
    recipients = parents + teachers
    if not recipients:
        return []
    rows = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, student=student, kind=kind, text=text, course=course, day=day) for pk in parents]
        + [
            Notification(
                recipient_id=pk,
                student=student,
                kind=kind,
                text=text,
                course=course,
                day=day,
                audience=NotificationAudience.CLASS_TEACHER,
            )
            for pk in teachers
        ]
    )
    _email_after_commit(rows, recipients)
    return rows


def notify_staff(
    *,
    recipient_ids: Sequence[int],
    kind: str,
    text: str,
    course: Course | None = None,
    day: datetime.date | None = None,
) -> list[Notification]:
    """A teacher told of their own work (a control check, final marks due): one notification each, e-mailed
    like the parents' after the commit."""
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk, kind=kind, text=text, course=course, day=day, audience=NotificationAudience.TEACHER
            )
            for pk in recipient_ids
        ]
    )
    _email_after_commit(rows, recipient_ids)
    return rows


def notify_new_device(sender: object, request: Any, user: User, **kwargs: object) -> None:
    """A sign-in from a browser the login never used before: the user is told (in the site and by e-mail),
    so a stranger's sign-in is seen (§3.15)."""
    from accounts.selectors.logins import is_new_device

    if request is None:
        return
    agent = request.META.get("HTTP_USER_AGENT", "")[:255]
    if not is_new_device(user.username, agent):
        return
    when = timezone.localtime().strftime("%d.%m.%Y %H:%M")
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
    text = _("A sign-in from a new device on %(when)s (%(address)s, %(browser)s). If it was not you, report it.") % {
        "when": when,
        "address": address,
        "browser": agent[:80] or "?",
    }
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, kind=NotificationKind.NEW_DEVICE, text=text[:500], audience=NotificationAudience.TEACHER
            )
        ]
    )
    _email_after_commit(rows, [user.pk])


_LOGIN_CHANGES = {
    "password": gettext_noop(
        "%(actor)s issued a new password for the login %(login)s (%(name)s), a person of your school too."
    ),
    "disabled": gettext_noop("%(actor)s disabled the login %(login)s (%(name)s), a person of your school too."),
    "enabled": gettext_noop("%(actor)s enabled the login %(login)s (%(name)s), a person of your school too."),
    "second_step": gettext_noop(
        "%(actor)s reset the second step of the login %(login)s (%(name)s), a person of your school too."
    ),
}


def notify_login_changed(*, actor: User, users: Sequence[User], change: str) -> list[Notification]:
    """A login of a person of several schools was changed (``journal.rules.may_manage_login``: by the superuser
    or an administrator of all of them): the administrators of each of the person's schools are told, so no
    school learns of it only when the person cannot sign in. ``change``: a key of ``_LOGIN_CHANGES``."""
    from journal.models import MembershipRole, SchoolMembership

    ids = [u.pk for u in users]
    schools: dict[int, set[int]] = {}
    for user_id, school_id in SchoolMembership.objects.filter(user_id__in=ids).values_list("user_id", "school_id"):
        schools.setdefault(user_id, set()).add(school_id)
    admins: dict[int, set[int]] = {}
    held = MembershipRole.objects.filter(
        role=Role.ADMINISTRATOR.value, membership__school_id__in=set().union(*schools.values())
    )
    for school_id, admin_id in held.values_list("membership__school_id", "membership__user_id"):
        admins.setdefault(school_id, set()).add(admin_id)
    rows: list[Notification] = []
    for user in users:
        if len(schools.get(user.pk, ())) < 2:
            continue
        told = set().union(*(admins.get(s, set()) for s in schools[user.pk])) - {actor.pk, user.pk}
        with translation.override(settings.LANGUAGE_CODE):
            text = _(_LOGIN_CHANGES[change]) % {
                "actor": actor.full_name or actor.username,
                "login": user.username,
                "name": user.full_name,
            }
        rows.extend(
            Notification(
                recipient_id=pk,
                kind=NotificationKind.LOGIN_CHANGED,
                text=text[:500],
                audience=NotificationAudience.TEACHER,
            )
            for pk in sorted(told)
        )
    created = Notification.objects.bulk_create(rows)
    _email_after_commit(created, [row.recipient_id for row in created])
    return created


# --- The texts (in the site's language: they are read later, by someone else) --------------------------------


def low_mark_text(student: Student, value: str, subject: str, day: datetime.date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(student)s: mark %(value)s in %(subject)s on %(date)s.") % {
            "student": student.short_name,
            "value": value,
            "subject": subject,
            "date": day.strftime("%d.%m.%Y"),
        }


def absence_text(student: Student, subject: str, day: datetime.date, slot: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(student)s was absent without a valid reason from %(subject)s on %(date)s (lesson %(slot)s).") % {
            "student": student.short_name,
            "subject": subject,
            "date": day.strftime("%d.%m.%Y"),
            "slot": slot,
        }


def final_mark_text(final_mark: FinalMark, subject: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        period = str(final_mark.period) if final_mark.period is not None else str(_("the year"))
        return _("%(student)s: final mark for %(period)s in %(subject)s — %(value)s.") % {
            "student": final_mark.student.short_name,
            "period": period,
            "subject": subject,
            "value": final_mark.get_value_display(),
        }


# --- The rules --------------------------------------------------------------------------------------------


def notify_low_mark(*, mark: Mark) -> list[Notification]:
    """A mark of 2 or lower that was not this value before."""
    if mark.value not in LOW_MARKS:
        return []
    previous = _previous(Mark.history.filter(id=mark.pk), "value")
    if previous is not None and previous[0] == mark.value:
        return []
    lesson = mark.lesson
    course = Course.objects.select_related("subject").get(pk=lesson.course_id)
    text = low_mark_text(mark.student, mark.value, course.subject.name, lesson.date)
    return _notify(
        student=mark.student,
        kind=NotificationKind.LOW_MARK,
        text=text,
        course=course,
        day=lesson.date,
        class_teachers_of=course,
        actor_id=mark.author_id,
    )


def _is_unexcused(status: str, reason: str) -> bool:
    return status == AttendanceStatus.ABSENT and reason == AttendanceReason.UNEXCUSED


def notify_unexcused_absence(*, attendance: Attendance) -> list[Notification]:
    """An absence that has just become unexcused (entered so, or its reason changed to it)."""
    if not _is_unexcused(attendance.status, attendance.reason):
        return []
    previous = _previous(Attendance.history.filter(id=attendance.pk), "status", "reason")
    if previous is not None and _is_unexcused(*previous):
        return []
    lesson = attendance.lesson
    course = Course.objects.select_related("subject").get(pk=lesson.course_id)
    text = absence_text(attendance.student, course.subject.name, lesson.date, lesson.slot)
    return _notify(
        student=attendance.student,
        kind=NotificationKind.UNEXCUSED_ABSENCE,
        text=text,
        course=course,
        day=lesson.date,
        class_teachers_of=course,
        actor_id=attendance.author_id,
    )


def notify_final_mark(*, final_mark: FinalMark) -> list[Notification]:
    """A period's or the year's mark, recorded or changed to another value."""
    if final_mark.kind not in NOTIFIED_FINAL_KINDS:
        return []
    previous = _previous(FinalMark.history.filter(id=final_mark.pk), "value")
    if previous is not None and previous[0] == final_mark.value:
        return []
    course = Course.objects.select_related("subject").get(pk=final_mark.course_id)
    text = final_mark_text(final_mark, course.subject.name)
    return _notify(student=final_mark.student, kind=NotificationKind.FINAL_MARK, text=text, course=course, day=None)


# --- Reading ----------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


# --- E-mail ------------------------------------------------------------------------------------------


def _site() -> str:
    """The journal's address for links in letters: its first trusted origin (empty in development)."""
    origins = list(getattr(settings, "CSRF_TRUSTED_ORIGINS", []) or [])
    return origins[0].rstrip("/") if origins else ""


def _email_mode(user: User) -> str:
    pref = NotificationPreference.objects.filter(user=user).values_list("email_mode", flat=True).first()
    return pref or EmailMode.EACH


# The outbox: a notification to be e-mailed one by one that is still unsent this long after it was made
# lost its message (the broker was down); younger ones are still on their way.
OUTBOX_GRACE = datetime.timedelta(minutes=2)


def pending_notification_ids(*, now: datetime.datetime | None = None) -> list[int]:
    """Notifications of the last day still to be e-mailed one by one: what the beat job enqueues again
    (:func:`notification_email_send` sends each once, however often it is asked)."""
    now = now or timezone.now()
    digest_or_off = NotificationPreference.objects.exclude(email_mode=EmailMode.EACH).values("user_id")
    return list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__gte=now - DIGEST_WINDOW,
            created_at__lte=now - OUTBOX_GRACE,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .exclude(recipient_id__in=digest_or_off)
        .values_list("pk", flat=True)
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification by e-mail, once: ``False`` when already sent or not wanted.

    The row is locked while the letter goes out, so two deliveries of the task
    do not both send; an SMTP error rolls back and leaves it for the retry.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "student")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active or _email_mode(recipient) != EmailMode.EACH:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "user": recipient,
                "notification": notification,
                "site": _site(),
                "link": notification_link(notification),
            }
            body = render_to_string("messaging/email/notification.txt", context)
            about = notification.student.short_name if notification.student else notification.get_kind_display()
            subject = _("Electronic journal: %(student)s") % {"student": about}
        # The letter's Message-ID is the notification's own: should the database fail between the SMTP
        # server's acceptance and the commit below, the outbox sends it again under the same id, which mail
        # servers and clients take for one letter (delivery is at least once; the parent reads it once).
        message_id = f"<notification-{notification.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"
        EmailMessage(subject, body, None, [recipient.email], headers={"Message-ID": message_id}).send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def digest_recipients(*, now: datetime.datetime | None = None) -> list[int]:
    """Users on the daily letter with an e-mail and unsent notifications of the last day."""
    since = (now or timezone.now()) - DIGEST_WINDOW
    return list(
        User.objects.filter(
            is_active=True,
            notification_preference__email_mode=EmailMode.DIGEST,
            notifications__emailed_at__isnull=True,
            notifications__created_at__gte=since,
        )
        .exclude(email="")
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )


def digest_send(*, user_id: int, now: datetime.datetime | None = None) -> int:
    """One letter with the day's unsent notifications of the user; returns how many it carried."""
    since = (now or timezone.now()) - DIGEST_WINDOW
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
        if user is None or _email_mode(user) != EmailMode.DIGEST:
            return 0
        rows = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(recipient=user, emailed_at__isnull=True, created_at__gte=since)
            .select_related("student")
            .order_by("created_at", "pk")
        )
        if not rows:
            return 0
        with translation.override(settings.LANGUAGE_CODE):
            items = [{"notification": n, "link": notification_link(n)} for n in rows]
            body = render_to_string("messaging/email/digest.txt", {"user": user, "items": items, "site": _site()})
            subject = _("Electronic journal: %(count)s notifications of the day") % {"count": len(rows)}
        send_mail(subject, body, None, [user.email])
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return len(rows)


# --- Preferences ---------------------------------------------------------------------------------------


@transaction.atomic
def preferences_set(*, actor: User, email_mode: str) -> NotificationPreference:
    if email_mode not in EmailMode.values:
        raise ValidationError({"email_mode": _("Choose how to receive e-mails.")})
    pref, _created = NotificationPreference.objects.update_or_create(user=actor, defaults={"email_mode": email_mode})
    return pref
