"""The demo school's messages: conversations, announcements, notifications from the journal's data; idempotent."""

from __future__ import annotations

import datetime

from django.core import mail

from demo.messaging import build_demo_messaging
from journal import models as m
from messaging.models import Message, Notification, NotificationKind, Participant, Thread, ThreadKind
from messaging.selectors.threads import unread_counts
from tests.conftest import World

TODAY = datetime.date(2026, 12, 1)


def _journal_data(world: World) -> None:
    teacher = world.users["teacher"]
    lesson = m.Lesson.objects.create(course=world.math_5a, date=datetime.date(2026, 11, 27), slot=1)
    old = m.Lesson.objects.create(course=world.math_5a, date=datetime.date(2026, 10, 1), slot=1)
    m.Mark.objects.create(lesson=lesson, student=world.child, value="2", author=teacher)
    m.Mark.objects.create(lesson=lesson, student=world.other_child, value="5", author=teacher)
    m.Mark.objects.create(lesson=old, student=world.child, value="2", author=teacher)  # weeks ago: left out
    m.Attendance.objects.create(
        lesson=lesson, student=world.other_child, status="absent", reason="unexcused", author=teacher
    )
    q1 = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=1, start=world.year.start, end=datetime.date(2026, 10, 25)
    )
    m.FinalMark.objects.create(
        course=world.math_5a, student=world.child, kind="quarter", period=q1, value="4", author=teacher
    )


def test_demo_messaging_adds_threads_announcements_and_notifications_once(world: World) -> None:
    _journal_data(world)

    stats = build_demo_messaging(school=world.school, year=world.year, today=TODAY)
    counts = (
        Thread.objects.count(),
        Message.objects.count(),
        Participant.objects.count(),
        Notification.objects.count(),
    )
    again = build_demo_messaging(school=world.school, year=world.year, today=TODAY)

    assert (again.threads, again.announcements, again.notifications) == (0, 0, 0)
    assert counts == (
        Thread.objects.count(),
        Message.objects.count(),
        Participant.objects.count(),
        Notification.objects.count(),
    )
    assert stats.threads >= 2 and stats.announcements >= 1
    # The login table's parent talks to «teacher»; the class's announcement reaches both parents of 5А.
    assert (
        Thread.objects.filter(kind=ThreadKind.DIRECT, participants__user=world.users["teacher"])
        .filter(participants__user=world.users["parent"])
        .exists()
    )
    announcement = Thread.objects.filter(kind=ThreadKind.ANNOUNCEMENT, class_group=world.class_5a).first()
    assert announcement is not None
    assert {"parent", "other_parent", "class_teacher"} <= set(
        announcement.participants.values_list("user__username", flat=True)
    )
    kinds = sorted(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == [  # the class teacher of 5А is told of the 2 and the unexcused absence too (§4.4)
        ("class_teacher", NotificationKind.LOW_MARK),
        ("class_teacher", NotificationKind.UNEXCUSED_ABSENCE),
        ("other_parent", NotificationKind.UNEXCUSED_ABSENCE),
        ("parent", NotificationKind.FINAL_MARK),
        ("parent", NotificationKind.LOW_MARK),
    ]
    assert "Математика" in Notification.objects.get(kind=NotificationKind.LOW_MARK, recipient__username="parent").text
    assert unread_counts(world.users["parent"]).notifications >= 1
    assert mail.outbox == []
