"""A compromised login (§3.13–3.16, Appendix 1): locked the moment the report is received, every session
ended; the Act lists what the account did since and voids it; the parent's diary then no longer shows a mark
changed after the report's time; a new password is then issued."""

from __future__ import annotations

import datetime
import re
import subprocess
from collections.abc import Callable
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CompromiseReport, User
from journal import models as m
from messaging.models import Notification, NotificationKind
from tests.conftest import World
from tests.factories import YEAR_START

PASSWORD = "Uchitel-parol-2026-x"


def _as(user: User, password: str = PASSWORD) -> Client:
    """A browser signed in through the login form (the password set once: a new one would end the others)."""
    if not user.check_password(password):
        user.set_password(password)
        user.save()
    client = Client(HTTP_USER_AGENT="Firefox/140 (test)")
    assert client.post(reverse("login"), {"username": user.username, "password": password}).status_code == 302
    return client


def test_a_user_reports_online_and_is_locked_and_signed_out_everywhere(world: World) -> None:
    teacher = world.users["teacher"]
    phone, laptop = _as(teacher), _as(teacher)
    page = phone.get(reverse("compromise_report")).content.decode()
    assert "в течение одного часа" in page
    noticed = timezone.localtime() - datetime.timedelta(minutes=20)
    response = phone.post(
        reverse("compromise_report"), {"discovered_at": noticed.strftime("%Y-%m-%dT%H:%M"), "confirm": "1"}
    )
    assert response.status_code == 200 and "заблокирован" in response.content.decode()
    teacher.refresh_from_db()
    assert not teacher.is_active and not teacher.has_usable_password()
    assert laptop.get(reverse("home")).status_code == 302  # the other session is gone too
    response = Client().post(reverse("login"), {"username": teacher.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in Client().session
    report = CompromiseReport.objects.get(user=teacher)
    assert report.source == "online" and not report.late


def test_unconfirmed_report_changes_nothing(world: World) -> None:
    teacher = world.users["teacher"]
    client = _as(teacher)
    response = client.post(reverse("compromise_report"), {"discovered_at": ""})
    assert response.status_code == 400 and "Отметьте" in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.is_active and not CompromiseReport.objects.exists()


def test_the_act_voids_a_mark_changed_after_the_reports_time_and_the_diary_follows(
    world: World, client_for: Callable[[str], Client]
) -> None:
    teacher, admin = world.users["teacher"], client_for("administrator")
    lesson = m.Lesson.objects.create(course=world.math_5a, date=YEAR_START, slot=1, status="held")
    before = m.Mark(lesson=lesson, student=world.child, value="4", weight=Decimal(1), author=teacher)
    before._history_user = teacher
    before.save()
    received = timezone.localtime()
    after = m.Mark(lesson=lesson, student=world.other_child, value="2", weight=Decimal(1), author=teacher)
    after._history_user = teacher
    after.save()
    before.value = "5"
    before._history_user = teacher
    before.save(update_fields=["value"])  # changed after the report reached the school

    noticed = received - datetime.timedelta(hours=2)
    response = admin.post(
        reverse("journal:compromise_list"),
        {
            "user": teacher.pk,
            "discovered_at": noticed.strftime("%Y-%m-%dT%H:%M"),
            "received_at": received.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        },
    )
    report = CompromiseReport.objects.get(user=teacher)
    assert response.status_code == 302 and report.source == "paper" and report.late
    assert not User.objects.get(pk=teacher.pk).is_active

    page = admin.get(reverse("journal:compromise_detail", args=[report.pk])).content.decode()
    assert "Составить акт и признать недействительными 2 операции" in page
    response = admin.post(reverse("journal:compromise_detail", args=[report.pk]), {"since": "received"}, follow=True)
    assert "Акт № 1" in response.content.decode()
    before.refresh_from_db()
    assert before.value == "4" and not m.Mark.objects.filter(pk=after.pk).exists()
    assert m.Mark.history.filter(history_user=world.users["administrator"]).count() == 2  # history kept

    week = client_for("parent").get(reverse("diary:week", args=[world.child.pk]) + f"?week={YEAR_START}")
    assert ">4<" in week.content.decode() and ">5<" not in week.content.decode()

    pdf = admin.get(reverse("journal:compromise_act_pdf", args=[report.pk]))
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True).stdout.decode()
    assert "АКТ № 1" in text and teacher.username in text
    assert re.search(r"Изменения в журнале \(2\)", text)
    # Each voided mark says whose, of which subject and class, of which day.
    day = YEAR_START.strftime("%d.%m.%Y")
    assert "Волкова Алиса" in text and "Соколов Артём" in text and day in text
    assert "обучающийся: —" not in text  # said once, by name, not as a row id
    about = re.findall(r'data-testid="change-about">([^<]*)<', page)
    assert sorted(about) == [
        f"{world.other_child.full_name} · Математика, 5А · {day}",
        f"{world.child.full_name} · Математика, 5А · {day}",
    ]

    # A new login: enabled, then a slip with a new password.
    admin.post(reverse("journal:account_active", args=[teacher.pk]), {"active": "1"})
    slip = admin.post(reverse("journal:account_reissue", args=[teacher.pk]))
    assert slip["Content-Type"] == "application/pdf"
    assert User.objects.get(pk=teacher.pk).must_change_password


def test_a_sign_in_from_a_new_browser_is_told_and_the_history_lists_it(world: World) -> None:
    parent = world.users["parent"]
    first = _as(parent)
    assert not Notification.objects.filter(recipient=parent, kind=NotificationKind.NEW_DEVICE).exists()
    Client().post(reverse("login"), {"username": parent.username, "password": "wrong"})
    other = Client(HTTP_USER_AGENT="Safari/18 (iPhone)")
    other.post(reverse("login"), {"username": parent.username, "password": PASSWORD})
    (told,) = Notification.objects.filter(recipient=parent, kind=NotificationKind.NEW_DEVICE)
    assert "Safari/18" in told.text
    _as(parent)  # the first browser again: nothing new
    assert Notification.objects.filter(recipient=parent, kind=NotificationKind.NEW_DEVICE).count() == 1
    page = first.get(reverse("login_history")).content.decode()
    assert page.count("вход выполнен") >= 3 and "неверный пароль" in page and "Safari/18" in page
