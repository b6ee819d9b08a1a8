"""The user's notifications and where each one leads."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from accounts.models import User
from journal.selectors.lessons import week_of
from messaging.models import Notification, NotificationAudience, NotificationKind, NotificationPreference


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("student", "course__subject")


def get_notification_for_user(user: User, notification_id: int) -> Notification:
    notification = notifications_of(user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification among yours")
    return notification


def notification_link(notification: Notification) -> str:
    """The page the notification is about. A parent's: the diary's subject page for a final mark, else the
    week. A class teacher's: the class's attendance week for an absence, else the student's card. A sign-in
    from a new device: the user's login history."""
    if notification.kind == NotificationKind.NEW_DEVICE:
        return reverse("login_history")
    if notification.kind == NotificationKind.LOGIN_CHANGED:
        return reverse("journal:accounts")
    if notification.audience == NotificationAudience.TEACHER:
        if notification.kind == NotificationKind.FINAL_MARKS_DUE and notification.course_id is not None:
            return reverse("journal:course_finals", kwargs={"course_id": notification.course_id})
        return reverse("monitoring:my_checks")
    if notification.audience == NotificationAudience.CLASS_TEACHER:
        if notification.kind == NotificationKind.UNEXCUSED_ABSENCE and notification.course is not None:
            url = reverse("journal:class_attendance", kwargs={"class_id": notification.course.class_group_id})
            return url + ("?week=" + notification.day.isoformat() if notification.day else "")
        return reverse("journal:student_detail", kwargs={"student_id": notification.student_id})
    if notification.kind == NotificationKind.FINAL_MARK and notification.course_id is not None:
        return reverse(
            "diary:subject", kwargs={"student_id": notification.student_id, "course_id": notification.course_id}
        )
    url = reverse("diary:week", kwargs={"student_id": notification.student_id})
    if notification.day is not None:
        url += "?week=" + week_of(notification.day)[0].isoformat()
    return url


def preference_of(user: User) -> NotificationPreference:
    """The stored choice, or the default one (unsaved)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
