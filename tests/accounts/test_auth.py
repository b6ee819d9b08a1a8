"""Logging in, throttling, issued passwords and the security headers of pages."""

from __future__ import annotations

import datetime
import math
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.services.users import user_create
from journal.services.logins import password_issue

BASE_DIR = Path(settings.BASE_DIR)
LOGIN_URL = "/accounts/login/"
PASSWORD = "pass-12345"  # UserFactory's password


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- The login page --------------------------------------------------------------


def test_login_page_is_in_russian_by_default(db):
    response = Client().get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Пароль" in html
    assert "Войти" in html
    assert response["Content-Language"] == "ru"


def test_login_page_switches_to_english_through_set_language(db):
    client = Client()

    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN_URL})
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL

    html = client.get(LOGIN_URL).content.decode()
    assert '<html lang="en">' in html
    assert "Password" in html
    assert "Пароль" not in html


def test_login_with_correct_credentials_redirects_home(world):
    client = Client()

    response = _login(client, "teacher", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _logged_in(client)
    assert client.get(reverse("home")).status_code == 200


def test_login_with_wrong_password_shows_an_error_and_does_not_log_in(world):
    client = Client()

    response = _login(client, "teacher", "wrong-password")

    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    assert not _logged_in(client)
    assert client.get(reverse("home")).status_code == 302


def test_login_of_unknown_user_shows_the_same_error(world):
    client = Client()

    response = _login(client, "nobody", "wrong-password")

    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    assert not _logged_in(client)


# --- Throttling ------------------------------------------------------------------


def _fail(username: str, ip: str, times: int) -> None:
    for _ in range(times):
        _login(Client(), username, "wrong-password", ip)


def test_throttling_settings_lock_username_and_ip_together():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_lockout_is_not_permanent():
    cooloff = settings.AXES_COOLOFF_TIME
    hours = cooloff.total_seconds() / 3600 if isinstance(cooloff, datetime.timedelta) else cooloff
    assert isinstance(hours, int | float)
    assert math.isfinite(hours)
    assert hours > 0


def test_four_failures_do_not_lock_the_user_out(world):
    _fail("teacher", "10.0.0.1", 4)

    client = Client()
    assert _login(client, "teacher", PASSWORD, "10.0.0.1").status_code == 302
    assert _logged_in(client)


def test_five_failures_lock_that_user_from_that_ip(world):
    _fail("teacher", "10.0.0.1", 5)

    client = Client()
    response = _login(client, "teacher", PASSWORD, "10.0.0.1")

    assert response.status_code == 429
    assert not _logged_in(client)
    assert "Слишком много" in response.content.decode()


def test_locked_user_does_not_lock_out_others_behind_the_same_nat(world):
    _fail("teacher", "10.0.0.1", 5)

    classmate = Client()
    response = _login(classmate, "other_teacher", PASSWORD, "10.0.0.1")

    assert response.status_code == 302
    assert _logged_in(classmate)


def test_locked_user_can_still_log_in_from_another_ip(world):
    _fail("teacher", "10.0.0.1", 5)

    client = Client()
    assert _login(client, "teacher", PASSWORD, "10.0.0.2").status_code == 302
    assert _logged_in(client)


def test_lockout_ends_after_the_cooloff(world):
    _fail("teacher", "10.0.0.1", 5)
    assert _login(Client(), "teacher", PASSWORD, "10.0.0.1").status_code == 429

    hours = settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=hours, minutes=1)
    )

    client = Client()
    assert _login(client, "teacher", PASSWORD, "10.0.0.1").status_code == 302
    assert _logged_in(client)


def _spellings(login: str, count: int) -> list[str]:
    """``count`` different ways of typing ``login`` in upper and lower case (``tEacher``, ``TeAcher`` …)."""
    return [
        "".join(ch.upper() if number >> place & 1 else ch for place, ch in enumerate(login))
        for number in range(1, count + 1)
    ]


def test_the_lock_counts_one_login_however_its_letters_are_typed(world):
    """Sign-in finds ``TEACHER`` as ``teacher``, so the lock counts them as one: five wrong passwords in five
    spellings lock the login, and the sixth spelling with the right password is refused too."""
    for spelling in _spellings("teacher", 5):
        _login(Client(), spelling, "wrong-password", "10.0.0.1")

    client = Client()
    response = _login(client, " TEACHER ", PASSWORD, "10.0.0.1")

    assert response.status_code == 429
    assert not _logged_in(client)
    assert AccessAttempt.objects.get().username == "teacher"


def test_the_failed_attempts_in_other_spellings_show_in_the_login_history(world):
    for spelling in _spellings("teacher", 3):
        _login(Client(), spelling, "wrong-password", "10.0.0.1")
    client = Client()
    _login(client, "teacher", PASSWORD, "10.0.0.1")

    html = client.get(reverse("login_history")).content.decode()

    assert html.count("10.0.0.1") == 4


# --- Issued passwords ------------------------------------------------------------


def test_issued_passwords_are_random_and_long_enough(world):
    user = world.user("teacher")
    admin = world.user("administrator")

    first = password_issue(actor=admin, user=user)
    second = password_issue(actor=admin, user=user)

    assert first != second
    assert len(first) >= 10
    assert len(second) >= 10


def test_new_user_without_a_password_gets_a_random_single_use_one(db):
    user, issued = user_create(username="new.teacher", last_name="Новикова", first_name="Ольга")
    _, other = user_create(username="new.teacher2", last_name="Новиков", first_name="Пётр")

    assert user.must_change_password
    assert len(issued) >= 10
    assert issued != other
    assert user.check_password(issued)


@pytest.mark.parametrize(
    "path",
    ["/", "/courses/", "/classes/", "/admin/", "/accounts/password/?next=/courses/", "/students/999999/"],
)
def test_user_with_issued_password_is_sent_to_password_change_from_every_page(world, path):
    teacher = world.user("teacher")
    issued = password_issue(actor=world.user("administrator"), user=teacher)
    client = Client()
    assert _login(client, "teacher", issued).status_code == 302

    response = client.get(path)

    if path.startswith(reverse("password_change")):
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("password_change")


def test_user_with_issued_password_reaches_the_course_page_only_after_changing_it(world):
    teacher = world.user("teacher")
    issued = password_issue(actor=world.user("administrator"), user=teacher)
    client = Client()
    _login(client, "teacher", issued)
    course_url = reverse("journal:course_detail", args=[world.math_5a.pk])

    assert client.get(course_url)["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Cache-Control" in page
    assert "no-store" in page["Cache-Control"]

    response = client.post(
        reverse("password_change"),
        {"old_password": issued, "new_password1": "Vesna-2027-sad", "new_password2": "Vesna-2027-sad"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    teacher.refresh_from_db()
    assert not teacher.must_change_password
    assert _logged_in(client)  # the session survives the change
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Математика" in home.content.decode()
    assert client.get(course_url).status_code == 200


def test_issued_password_no_longer_works_after_the_change(world):
    teacher = world.user("teacher")
    issued = password_issue(actor=world.user("administrator"), user=teacher)
    client = Client()
    _login(client, "teacher", issued)
    client.post(
        reverse("password_change"),
        {"old_password": issued, "new_password1": "Vesna-2027-sad", "new_password2": "Vesna-2027-sad"},
    )

    again = Client()
    assert _login(again, "teacher", issued).status_code == 200
    assert not _logged_in(again)
    assert _login(again, "teacher", "Vesna-2027-sad").status_code == 302


def test_issued_password_replaces_the_previous_one(world):
    teacher = world.user("teacher")
    password_issue(actor=world.user("administrator"), user=teacher)

    client = Client()
    assert _login(client, "teacher", PASSWORD).status_code == 200
    assert not _logged_in(client)


def test_user_with_issued_password_may_still_switch_language_and_log_out(world):
    teacher = world.user("teacher")
    issued = password_issue(actor=world.user("administrator"), user=teacher)
    client = Client()
    _login(client, "teacher", issued)

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("password_change")})
    assert response["Location"] == reverse("password_change")
    assert client.post(reverse("logout")).status_code == 302
    assert not _logged_in(client)


# --- Headers and sessions --------------------------------------------------------


AUTHENTICATED_PAGES = [
    ("teacher", "home", ()),
    ("teacher", "journal:course_list", ()),
    ("teacher", "journal:class_list", ()),
    ("teacher", "password_change", ()),
    ("class_teacher", "journal:class_list", ()),
    ("parent", "home", ()),
    ("student", "home", ()),
    ("administrator", "admin:index", ()),
]


@pytest.mark.parametrize(("persona", "url_name", "args"), AUTHENTICATED_PAGES)
def test_authenticated_pages_are_not_stored_in_browser_caches(client_for, persona, url_name, args):
    response = client_for(persona).get(reverse(url_name, args=args))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_detail_pages_and_refusals_are_not_stored_either(world, client_for):
    teacher = client_for("teacher")
    parent = client_for("parent")
    responses = [
        teacher.get(reverse("journal:course_detail", args=[world.math_5a.pk])),
        teacher.get(reverse("journal:course_detail", args=[world.foreign_course.pk])),  # 404
        parent.get(reverse("journal:student_detail", args=[world.child.pk])),
        parent.get(reverse("journal:student_detail", args=[world.other_child.pk])),  # 404
        parent.get(reverse("journal:course_list")),  # refused
    ]

    assert [r.status_code for r in responses][:3] == [200, 404, 200]
    for response in responses:
        assert "no-store" in response["Cache-Control"]


def _csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("persona", ["anonymous", "teacher", "parent"])
def test_csp_forbids_inline_scripts(client_for, persona):
    path = LOGIN_URL if persona == "anonymous" else reverse("home")

    response = client_for(persona).get(path)

    assert response.status_code == 200
    directives = _csp_directives(response)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-inline'" not in directives.get("default-src", [])
    assert directives.get("frame-ancestors") == ["'none'"]


def test_sessions_are_stored_in_the_database(world):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"

    client = Client()
    _login(client, "teacher", PASSWORD)

    session = Session.objects.get(session_key=client.session.session_key)
    assert session.get_decoded()["_auth_user_id"] == str(world.user("teacher").pk)


def test_session_cookie_is_http_only():
    assert settings.SESSION_COOKIE_HTTPONLY


# --- The production profile ------------------------------------------------------


def _production_env() -> dict[str, str]:
    # A clean environment: nothing of the test run (DJANGO_ALLOW_ASYNC_UNSAFE…) leaks in.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="journal.example.org",
        CSRF_TRUSTED_ORIGINS="https://journal.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/eljournal",
        DEBUG="false",
    )
    return env


@pytest.mark.parametrize("profile", ["production", "development"])
def test_argon2_is_the_first_password_hasher_outside_tests(profile):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PASSWORD_HASHERS[0]); print(settings.SESSION_ENGINE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**_production_env(), "DJANGO_ENV": profile},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    hasher, session_engine = result.stdout.split()
    assert hasher == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert session_engine == "django.contrib.sessions.backends.db"


def test_production_profile_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_deploy_check_passes_under_the_production_profile():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


BEHIND_ONE_PROXY = {
    "AXES_IPWARE_PROXY_COUNT": 0,
    "AXES_IPWARE_PROXY_ORDER": "right-most",
    "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
}


def _login_via_proxy(client: Client, username: str, password: str, forwarded_for: str):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.254",  # the proxy
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_a_stranger_cannot_lock_the_user_out(world, settings):
    """Five wrong passwords from one client lock that client, not the user everywhere (TRUSTED_PROXY_COUNT=1):
    the lock keys on the address the proxy saw, and a forged X-Forwarded-For earns the forger the proxy's."""
    for key, value in BEHIND_ONE_PROXY.items():
        setattr(settings, key, value)
    for _ in range(5):
        _login_via_proxy(Client(), "teacher", "wrong-password", "203.0.113.5")
    for _ in range(5):  # forged: the client claims to be the teacher's own address
        _login_via_proxy(Client(), "teacher", "wrong-password", "198.51.100.7, 203.0.113.6")

    assert _login_via_proxy(Client(), "teacher", PASSWORD, "203.0.113.5").status_code == 429
    teacher = Client()
    assert _login_via_proxy(teacher, "teacher", PASSWORD, "198.51.100.7").status_code == 302
    assert _logged_in(teacher)
