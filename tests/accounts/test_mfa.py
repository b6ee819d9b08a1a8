"""Two-step sign-in (django-otp TOTP with recovery codes): required for the administration, optional for
teachers; a deputy without a device reaches no report until it is set up; a recovery code works once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import World
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("mfa_required")


@pytest.fixture
def mfa_required():
    with override_settings(MFA_REQUIRED=True):
        yield


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_deputy_without_a_device_reaches_no_report_until_it_is_set_up(
    world: World, client_for: Callable[[str], Client]
) -> None:
    deputy = client_for("deputy")
    response = deputy.get(reverse("reports:report_index"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_setup"))
    assert deputy.get(reverse("journal:class_list")).status_code == 302
    page = deputy.get(response.url).content.decode()
    assert 'data-testid="mfa-required"' in page and "<svg" in page

    device = TOTPDevice.objects.get(user=world.users["deputy"], confirmed=False)
    wrong = deputy.post(reverse("mfa_setup"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "не совпадает" in wrong.content.decode()
    done = deputy.post(reverse("mfa_setup"), {"token": _code(device), "next": reverse("reports:report_index")})
    codes = done.context["codes"]
    assert len(codes) == 10
    assert deputy.get(reverse("reports:report_index")).status_code == 200

    # Next time: the password, then a code. A recovery code signs in once.
    later = client_for("deputy")
    response = later.get(reverse("reports:report_index"))
    assert response.url.startswith(reverse("mfa_verify"))
    assert later.get(reverse("mfa_setup")).url.startswith(reverse("mfa_verify"))  # no new phone without the code
    assert later.post(reverse("mfa_verify"), {"token": codes[0]}).status_code == 302
    assert later.get(reverse("reports:report_index")).status_code == 200
    again = client_for("deputy")
    assert again.post(reverse("mfa_verify"), {"token": codes[0]}).status_code == 400  # used up
    assert again.get(reverse("reports:report_index")).status_code == 302


@pytest.mark.parametrize("persona", ["administrator", "director"])
def test_the_administration_is_asked_for_the_second_step(
    world: World, client_for: Callable[[str], Client], persona: str
) -> None:
    assert client_for(persona).get(reverse("home")).url.startswith(reverse("mfa_setup"))


def test_a_superuser_of_no_school_is_asked_for_the_second_step_before_the_admin(db) -> None:
    """``createsuperuser`` makes an account with no school role that opens every school's administration: a
    password alone must not reach it."""
    UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client()
    assert client.post(reverse("login"), {"username": "root", "password": "pass-12345"}).status_code == 302

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302 and response.url.startswith(reverse("mfa_setup"))
    assert 'data-testid="mfa-required"' in client.get(response.url).content.decode()


def test_a_teacher_may_sign_in_without_it_and_turn_it_on(world: World, client_for: Callable[[str], Client]) -> None:
    teacher = client_for("teacher")
    assert teacher.get(reverse("home")).status_code == 200
    page = teacher.get(reverse("mfa_setup")).content.decode()
    assert 'data-testid="mfa-required"' not in page and 'data-testid="mfa-qr"' in page
    device = TOTPDevice.objects.get(user=world.users["teacher"])
    teacher.post(reverse("mfa_setup"), {"token": _code(device)})
    assert TOTPDevice.objects.get(user=world.users["teacher"]).confirmed
