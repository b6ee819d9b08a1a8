"""Sessions end on their own (the issue «Faults and bad input», finding 5): a staff member's after 30 idle
minutes (``STAFF_IDLE_MINUTES``), a parent's or a student's when the browser closes or after two idle hours
(``FAMILY_IDLE_MINUTES``: a shared family computer left on), whichever comes first."""

from __future__ import annotations

import datetime
import time

import pytest
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


def _idle(client: Client, minutes: int) -> None:
    """The browser's last request ``minutes`` ago."""
    session = client.session
    session["seen_at"] = int(time.time()) - minutes * 60
    session.save()


@pytest.mark.parametrize("username", ["parent", "student"])
def test_a_familys_session_ends_after_two_idle_hours_though_the_browser_stays_open(world: World, username: str) -> None:
    client = _log_in(username)
    _idle(client, 120)

    response = client.get(reverse("home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_family_active_within_two_hours_stays_signed_in_and_its_time_moves_on(world: World) -> None:
    client = _log_in("parent")
    _idle(client, 119)

    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session["seen_at"] < 60  # the request moved the idle time's start on
    assert client.session.get_expire_at_browser_close()  # and the browser's closing still ends it


def test_the_familys_idle_limit_is_configurable(world: World, settings) -> None:
    settings.FAMILY_IDLE_MINUTES = 15
    client = _log_in("parent")
    _idle(client, 14)
    assert client.get(reverse("home")).status_code == 200
    _idle(client, 16)
    assert client.get(reverse("home")).status_code == 302
