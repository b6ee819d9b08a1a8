"""A teacher logs in on a phone; the demo data command on PostgreSQL and SQLite.

The browser is Debian's Chromium driven by Playwright (never ``playwright install``),
the ``chromium`` fixture of tests/browser/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from journal.models import ClassGroup, Course, Enrolment, Student
from reports.models import GeneratedDocument
from tests.browser.support import ARTIFACTS, PHONE, track_requests
from tests.factories import UserFactory

BASE_DIR = Path(settings.BASE_DIR)
DEMO_PASSWORD = "demo-pass-123"


def _has_russian_catalog() -> bool:
    return any((Path(p) / "ru" / "LC_MESSAGES" / "django.mo").exists() for p in settings.LOCALE_PATHS)


@dataclass
class Phone:
    page: Any
    console_errors: list[str] = field(default_factory=list)
    requested_urls: list[str] = field(default_factory=list)


@pytest.fixture
def phone(chromium):
    """A fresh page 360 px wide, as on a small Android phone with a Russian locale."""
    context = track_requests(
        chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="ru-RU")
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    phone = Phone(page)
    page.on("console", lambda msg: msg.type == "error" and phone.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: phone.console_errors.append(str(exc)))
    page.on("request", lambda request: phone.requested_urls.append(request.url))
    yield phone


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "students": Student.objects.count(),
        "classes": ClassGroup.objects.count(),
        "courses": Course.objects.count(),
        "enrolments": Enrolment.objects.count(),
    }


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.browser
def test_teacher_logs_in_on_a_phone_and_sees_their_courses_in_russian(live_server, transactional_db, phone):
    _seed("--password", DEMO_PASSWORD, "--documents", "later")
    teacher = User.objects.get(username="teacher")
    assert Course.objects.filter(assignments__teacher=teacher, subject__name="Математика").exists()
    origin = urlsplit(live_server.url).netloc
    page = phone.page

    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.locator("#id_username").fill("teacher")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-360.png"), full_page=True)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    assert page.locator("html").get_attribute("lang") == "ru"
    heading = page.locator("main h1").inner_text()
    assert teacher.first_name in heading
    if _has_russian_catalog():
        assert "Здравствуйте" in heading
    assert "Математика" in page.locator("main").inner_text()
    assert teacher.short_name in page.locator("[data-testid=current-user]").text_content()
    # Nothing sideways: the page fits the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "home-360.png"), full_page=True)

    # The collapsed menu opens (Bootstrap's script runs under the CSP) and lists the teacher's sections.
    page.locator(".navbar-toggler").click()
    page.locator("#main-nav.collapse.show").wait_for()  # the opening animation has finished
    assert page.locator("#main-nav a[href='/courses/']").is_visible()
    assert page.locator("#main-nav a[href='/classes/']").is_visible()
    page.screenshot(path=str(ARTIFACTS / "home-360-menu.png"), full_page=True)
    assert page.locator("#main-nav a[href='/admin/']").count() == 0

    assert page.evaluate("typeof window.htmx") == "object"  # htmx loaded, not blocked
    assert phone.console_errors == []  # no CSP violations or script errors
    foreign = [url for url in phone.requested_urls if urlsplit(url).netloc not in {origin, ""}]
    assert foreign == []


@pytest.mark.browser
def test_wrong_password_on_a_phone_shows_an_error_and_stays_on_the_login_page(live_server, transactional_db, phone):
    UserFactory(username="teacher")
    page = phone.page

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("teacher")
    page.locator("#id_password").fill("not-the-password")
    page.locator("main form button[type=submit]").click()

    alert = page.locator("main .alert-danger")
    alert.wait_for(state="visible")
    assert urlsplit(page.url).path == "/accounts/login/"
    assert page.locator("#id_username").input_value() == "teacher"
    assert phone.console_errors == []


def test_demo_data_command_is_idempotent_on_postgresql(db):
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    _seed()
    first = _counts()
    assert first["students"] > 0
    # The generated documents are made in the seed, every one done: printouts and reports; the bound journal
    # only once the year's marks exist (the pinned day is in December: it is refused with the reason then).
    documents = GeneratedDocument.objects.all()
    assert {d.kind for d in documents} >= {"weekly_printout", "report"}
    assert "bound_journal" not in {d.kind for d in documents}
    assert {d.status for d in documents} == {"done"}
    assert first["classes"] > 0
    assert User.objects.filter(username="teacher").exists()

    _seed()

    assert _counts() == first


@pytest.mark.slow
def test_demo_data_command_runs_on_sqlite(tmp_path):
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        DJANGO_ENV="development",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    migrate = manage("migrate", "--no-input")
    assert migrate.returncode == 0, migrate.stderr
    # As scripts/run.sh does: the school first, then its documents beside the server.
    seed = manage("seed_demo", "--documents", "later")
    assert seed.returncode == 0, seed.stdout + seed.stderr
    assert "teacher" in seed.stdout
    documents = manage("seed_demo", "--documents", "only")
    assert documents.returncode == 0, documents.stdout + documents.stderr
    assert "weekly paper printouts" in documents.stdout and "documents in" in documents.stdout
    again = manage("seed_demo", "--documents", "only")
    assert "has its documents already" in again.stdout
    assert (tmp_path / "demo.sqlite3").stat().st_size > 0
