"""Parents' notifications (§4.4, §8.2) from the journal's own services, and their e-mails.

The e-mail leaves only after the transaction commits (``django_capture_on_commit_callbacks``
runs the callbacks the commit would run); Celery runs eagerly in tests, mail goes to
``django.core.mail.outbox``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from smtplib import SMTPException
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from config.celery import app as celery_app
from journal import models as m
from journal.services.final_marks import final_mark_set
from journal.services.marks import attendance_set, attendance_set_reason, mark_set
from journal.services.structure import (
    parent_link_create,
    parent_link_end,
    teaching_assignment_create,
)
from messaging.models import EmailMode, Notification, NotificationAudience, NotificationKind, NotificationPreference
from messaging.services.notifications import digest_recipients, notification_email_send, preferences_set
from messaging.tasks import send_daily_digests, send_notification_email
from tests.conftest import YEAR_START, World
from tests.factories import CourseFactory, SubjectFactory, UserFactory

TODAY = timezone.localdate()
RECENT = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def lesson(world: World) -> m.Lesson:
    return m.Lesson.objects.create(course=world.math_5a, date=RECENT, slot=2)


@pytest.fixture
def father(world: World) -> User:
    """A second parent of ``child``, with an e-mail."""
    user = UserFactory(username="father", roles=(Role.PARENT,), email="father@example.org", school=world.school)
    parent_link_create(actor=None, parent=user, student=world.child, relation="father", consent_given=True)
    return user


def _notified(world: World, audience: str = NotificationAudience.PARENT) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(student=world.child, audience=audience)
    return sorted(rows.values_list("recipient__username", "kind"))


def _mark(world: World, lesson: m.Lesson, value: str, **kwargs: Any) -> m.Mark:
    return mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value=value, **kwargs)


# --- The rules ----------------------------------------------------------------------------------------------


def test_a_two_notifies_each_parent_with_an_active_link(world: World, lesson: m.Lesson, father: User) -> None:
    ended = UserFactory(username="ex", roles=(Role.PARENT,), school=world.school)
    parent_link_end(
        actor=None, link=parent_link_create(actor=None, parent=ended, student=world.child, consent_given=True)
    )

    _mark(world, lesson, "2")

    assert _notified(world) == [("father", "low_mark"), ("parent", "low_mark")]
    notification = Notification.objects.get(recipient=world.users["parent"])
    assert "2" in notification.text and "Математика" in notification.text and "Соколов Артём" in notification.text
    assert notification.course == world.math_5a
    assert notification.day == RECENT
    assert not Notification.objects.filter(student=world.other_child).exists()


def test_a_three_notifies_nobody(world: World, lesson: m.Lesson) -> None:
    _mark(world, lesson, "3")

    assert Notification.objects.count() == 0


def test_the_class_teacher_is_told_of_a_two_and_of_an_unexcused_absence_in_the_class(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    _mark(world, lesson, "2")
    attendance_set(
        actor=world.users["teacher"], lesson=lesson, student=world.child, status="absent", reason="unexcused"
    )

    assert _notified(world, NotificationAudience.CLASS_TEACHER) == [
        ("class_teacher", "low_mark"),
        ("class_teacher", "unexcused_absence"),
    ]
    client = client_for("class_teacher")
    page = client.get(reverse("messaging:notifications"))
    assert "Соколов Артём" in page.content.decode()
    absence = Notification.objects.get(recipient=world.users["class_teacher"], kind="unexcused_absence")
    opened = client.get(reverse("messaging:notification_open", args=[absence.pk]))
    assert opened.status_code == 302
    assert opened["Location"].startswith(reverse("journal:class_attendance", args=[world.class_5a.pk]))
    assert client.get(opened["Location"]).status_code == 200
    low = Notification.objects.get(recipient=world.users["class_teacher"], kind="low_mark")
    opened = client.get(reverse("messaging:notification_open", args=[low.pk]))
    assert opened["Location"] == reverse("journal:student_detail", args=[world.child.pk])


def test_the_class_teacher_is_not_told_of_the_two_they_entered_themselves(world: World) -> None:
    own = CourseFactory(class_group=world.class_5a, subject=SubjectFactory(school=world.school, name="Физика"))
    teaching_assignment_create(actor=None, course=own, teacher=world.users["class_teacher"], date_from=YEAR_START)
    physics = m.Lesson.objects.create(course=own, date=RECENT, slot=4)

    mark_set(actor=world.users["class_teacher"], lesson=physics, student=world.child, value="2")

    assert _notified(world, NotificationAudience.CLASS_TEACHER) == []
    assert _notified(world) == [("parent", "low_mark")]


def test_the_same_two_saved_again_notifies_once(world: World, lesson: m.Lesson) -> None:
    mark = _mark(world, lesson, "2")
    _mark(world, lesson, "2", comment="не выучил правило", expected_version=mark.version)

    assert _notified(world) == [("parent", "low_mark")]


def test_a_mark_changed_to_two_notifies_and_back_to_five_does_not(world: World, lesson: m.Lesson) -> None:
    mark = _mark(world, lesson, "4")
    mark = _mark(world, lesson, "2", expected_version=mark.version)
    _mark(world, lesson, "5", expected_version=mark.version)

    assert _notified(world) == [("parent", "low_mark")]


def test_an_unexcused_absence_notifies_and_an_illness_does_not(world: World, lesson: m.Lesson) -> None:
    attendance_set(actor=world.users["teacher"], lesson=lesson, student=world.child, status="absent", reason="illness")
    assert _notified(world) == []

    other = m.Lesson.objects.create(course=world.math_5a, date=RECENT, slot=3)
    attendance_set(actor=world.users["teacher"], lesson=other, student=world.child, status="absent", reason="unexcused")

    assert _notified(world) == [("parent", "unexcused_absence")]
    text = Notification.objects.get(recipient=world.users["parent"]).text
    assert "урок 3" in text or "lesson 3" in text


def test_an_absence_becoming_unexcused_by_the_class_teacher_notifies_once(world: World, lesson: m.Lesson) -> None:
    row = attendance_set(actor=world.users["teacher"], lesson=lesson, student=world.child, status="absent")
    assert _notified(world) == []

    row = attendance_set_reason(
        actor=world.users["class_teacher"], attendance=row, reason="unexcused", expected_version=row.version
    )
    attendance_set_reason(
        actor=world.users["class_teacher"], attendance=row, reason="unexcused", expected_version=row.version
    )

    assert _notified(world) == [("parent", "unexcused_absence")]


def test_being_late_is_not_an_absence(world: World, lesson: m.Lesson) -> None:
    attendance_set(actor=world.users["teacher"], lesson=lesson, student=world.child, status="late", reason="unexcused")

    assert _notified(world) == []


def test_a_period_mark_notifies_when_recorded_and_when_changed(world: World) -> None:
    q1 = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=1, start=world.year.start, end=datetime.date(2026, 10, 25)
    )
    kwargs = {"actor": world.users["teacher"], "course": world.math_5a, "student": world.child, "kind": "quarter"}

    mark = final_mark_set(**kwargs, period=q1, value="4")
    final_mark_set(**kwargs, period=q1, value="4", expected_version=mark.version)
    final_mark_set(**kwargs, period=q1, value="5", reason="Итоговая контрольная", expected_version=mark.version)

    assert _notified(world) == [("parent", "final_mark"), ("parent", "final_mark")]
    texts = list(Notification.objects.order_by("pk").values_list("text", flat=True))
    assert texts[0].endswith("4.") and texts[1].endswith("5.")


def test_a_rolled_back_save_leaves_no_notification(world: World, lesson: m.Lesson) -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        _mark(world, lesson, "2")
        raise RuntimeError

    assert _notified(world) == []


# --- E-mail -------------------------------------------------------------------------------------------------


def test_the_email_goes_after_commit_only_to_parents_with_an_email_and_email_on(
    world: World, lesson: m.Lesson, father: User, django_capture_on_commit_callbacks: Any
) -> None:
    world.users["parent"].email = "mother@example.org"
    world.users["parent"].save()
    preferences_set(actor=world.users["parent"], email_mode=EmailMode.OFF)
    no_email = UserFactory(username="granny", roles=(Role.PARENT,), school=world.school)
    parent_link_create(actor=None, parent=no_email, student=world.child, consent_given=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _mark(world, lesson, "2")
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()

    assert [message.to for message in mail.outbox] == [["father@example.org"]]
    body = mail.outbox[0].body
    assert "Соколов Артём" in body and "Математика" in body
    sent = Notification.objects.get(recipient=father)
    assert sent.emailed_at is not None
    # mother (off), granny (no e-mail), the class teacher (no e-mail)
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 3


def test_an_emailed_notification_is_not_sent_twice(world: World, lesson: m.Lesson, father: User) -> None:
    _mark(world, lesson, "2")
    notification = Notification.objects.get(recipient=father)

    assert notification_email_send(notification_id=notification.pk) is True
    assert send_notification_email.delay(notification.pk).get() is False
    assert len(mail.outbox) == 1


class FailingBackend(EmailBackend):
    """A mail server that refuses every letter."""

    attempts: ClassVar[int] = 0

    def send_messages(self, email_messages: Any) -> int:
        FailingBackend.attempts += 1
        raise SMTPException("421 try again later")


def test_smtp_errors_are_retried_a_bounded_number_of_times(
    world: World, lesson: m.Lesson, father: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _mark(world, lesson, "2")
    notification = Notification.objects.get(recipient=father)
    settings.EMAIL_BACKEND = "tests.messaging.test_notifications.FailingBackend"
    FailingBackend.attempts = 0

    # Eager retries run one after another (no countdown) when failures are not propagated at once.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    result = send_notification_email.apply(args=[notification.pk])

    assert result.state == "FAILURE"
    assert isinstance(result.result, SMTPException)
    assert FailingBackend.attempts == 1 + 5  # the first try and max_retries=5
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_digest_users_get_one_letter_a_day_with_all_their_notifications(
    world: World, lesson: m.Lesson, father: User, django_capture_on_commit_callbacks: Any
) -> None:
    preferences_set(actor=father, email_mode=EmailMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        _mark(world, lesson, "2")
        attendance_set(
            actor=world.users["teacher"],
            lesson=m.Lesson.objects.create(course=world.math_5a, date=RECENT, slot=4),
            student=world.child,
            status="absent",
            reason="unexcused",
        )
    assert mail.outbox == []  # not one letter each

    assert send_daily_digests.delay().get() == 1
    send_daily_digests.delay()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["father@example.org"]
    assert mail.outbox[0].body.count("Соколов Артём") == 2
    assert digest_recipients() == []


def test_the_preferences_page_switches_to_the_digest(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("parent").post(reverse("messaging:preferences"), {"email_mode": "digest"})

    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=world.users["parent"]).email_mode == EmailMode.DIGEST


# --- Reading ------------------------------------------------------------------------------------------------


def test_the_parent_sees_the_notification_and_following_it_marks_it_read(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    _mark(world, lesson, "2")
    notification = Notification.objects.get(recipient=world.users["parent"])
    client = client_for("parent")

    page = client.get(reverse("messaging:notifications")).content.decode()
    assert notification.text in page
    assert client.get(reverse("messaging:badge")).context["counts"].notifications == 1

    response = client.get(reverse("messaging:notification_open", args=[notification.pk]))

    assert response.status_code == 302
    monday = RECENT - datetime.timedelta(days=RECENT.weekday())
    assert response.url == reverse("diary:week", args=[world.child.pk]) + f"?week={monday.isoformat()}"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get(reverse("messaging:badge")).context["counts"].notifications == 0


def test_mark_all_read_touches_only_own_notifications(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    _mark(world, lesson, "2")
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.other_child, value="2")

    client_for("parent").post(reverse("messaging:notifications_read"), {"all": "1"})

    assert Notification.objects.get(recipient=world.users["parent"]).read_at is not None
    assert Notification.objects.get(recipient=world.users["other_parent"]).read_at is None


def test_another_parents_notification_is_404_and_stays_unread(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.other_child, value="2")
    theirs = Notification.objects.get(recipient=world.users["other_parent"])
    client = client_for("parent")

    assert client.get(reverse("messaging:notification_open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("messaging:notifications_read"), {"notification_id": theirs.pk}).status_code == 404
    assert theirs.text not in client.get(reverse("messaging:notifications")).content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert NotificationKind.LOW_MARK == theirs.kind
