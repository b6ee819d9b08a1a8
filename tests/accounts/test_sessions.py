"""Sessions end on their own (the issue «Faults and bad input», finding 5): a staff member's after 30 idle
minutes (``STAFF_IDLE_MINUTES``), a parent's or a student's when the browser closes."""

from __future__ import annotations

import datetime
import time

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World

PASSWORD = "pass-12345"


def _log_in(username: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_a_teachers_session_ends_after_thirty_idle_minutes(world: World) -> None:
    client = _log_in("teacher")
    assert client.session.get_expiry_age() == 30 * 60 and not client.session.get_expire_at_browser_close()

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))  # 30 minutes later

    response = client.get(reverse("journal:course_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_working_moves_the_end_of_the_teachers_session_on(world: World) -> None:
    client = _log_in("teacher")
    session = client.session
    session["seen_at"] = int(time.time()) - 120  # the last refresh two minutes ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=28))

    client.get(reverse("journal:course_list"))

    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > datetime.timedelta(minutes=29)


def test_a_parents_session_ends_with_the_browser(world: World) -> None:
    client = _log_in("parent")
    assert client.session.get_expire_at_browser_close()
    assert "expires" not in str(client.cookies["sessionid"]).lower()
