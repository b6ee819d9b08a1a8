"""Issuing logins (§3.2, §3.3, Appendix 2): one written form of a login; a class's logins issued in bulk as
printed slips; a slip's login and password sign in once and must be changed; a re-issue voids the old
password; who issued what is recorded, the password nowhere."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import LoginIssue, User
from accounts.roles import Role
from accounts.services.logins import login_base, normalize_login
from accounts.services.users import user_create
from tests.conftest import World

PASSWORD = "Ne-prostoy-parol-2026"


def authenticate(*, username: str, password: str) -> User | None:
    """Sign-in as the login form makes it (the throttling backend reads the request)."""
    return django_authenticate(RequestFactory().post("/login/"), username=username, password=password)


def _slips(pdf: bytes) -> list[tuple[str, str]]:
    """(login, password) of each slip, as the printed text reads them."""
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.findall(r"Логин:\s*\n(\S+)\s*\nПароль:\s*\n(\S+)", text)


def test_a_login_has_one_written_form_stored_typed_and_printed(db) -> None:
    assert normalize_login("  Smirnov.AS ") == "smirnov.as"
    user, issued = user_create(username="Smirnov.AS", last_name="Смирнов", first_name="Андрей")
    assert user.username == "smirnov.as"
    # Typed as a phone capitalises it, or with a trailing space: the same login.
    assert authenticate(username="Smirnov.as ", password=issued) == user
    assert authenticate(username="SMIRNOV.AS", password=issued) == user
    assert authenticate(username="smirnov.as", password="wrong") is None


def test_the_administrator_issues_a_classs_logins_and_a_slip_signs_in_once(
    world: World, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("administrator")
    url = reverse("journal:class_accounts", args=[world.class_5a.pk])
    page = admin.get(url).content.decode()
    # The other child has no login yet; their mother never signed in; both ticked.
    assert f'value="s{world.other_child.pk}"' in page and "нет логина" in page
    other_parent = world.users["other_parent"]
    response = admin.post(url, {"person": [f"s{world.other_child.pk}", f"u{other_parent.pk}"]})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    slips = _slips(response.content)
    world.other_child.refresh_from_db()
    assert world.other_child.user is not None and world.other_child.user.roles == {Role.STUDENT}
    assert [login for login, _password in slips] == [world.other_child.user.username, other_parent.username]
    child = world.other_child
    assert child.user.username == login_base(child.last_name, child.first_name, child.middle_name)  # «volkova.a…»
    assert child.user.username.startswith("volkova.a")

    # The issue is recorded, by whom and for whom; the password is nowhere in it.
    issues = LoginIssue.objects.filter(user__in=[world.other_child.user, other_parent])
    assert issues.count() == 2 and set(issues.values_list("issued_by", flat=True)) == {world.users["administrator"].pk}
    for _login, password in slips:
        assert not any(password in str(value) for row in issues.values() for value in row.values())

    # The mother signs in with the slip (typed with a capital letter) and is made to set her own password.
    login, password = slips[1]
    mother = Client()
    response = mother.post(reverse("login"), {"username": login.capitalize(), "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert mother.get(reverse("diary:week", args=[world.other_child.pk])).url == reverse("password_change")
    response = mother.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 302
    assert mother.get(reverse("diary:week", args=[world.other_child.pk])).status_code == 200
    # The slip's password was valid once: it no longer signs in.
    assert authenticate(username=login, password=password) is None

    # A re-issue gives a new slip and voids the password in use, and the mother's session with it.
    response = admin.post(reverse("journal:account_reissue", args=[other_parent.pk]))
    ((again_login, again_password),) = _slips(response.content)
    assert again_login == login and again_password != password
    assert authenticate(username=login, password=PASSWORD) is None
    assert mother.get(reverse("diary:week", args=[world.other_child.pk])).status_code == 302
    assert LoginIssue.objects.filter(user=other_parent, reissue=True).count() == 1


def test_a_disabled_login_gets_no_slip_and_does_not_sign_in(world: World, client_for: Callable[[str], Client]) -> None:
    admin = client_for("administrator")
    parent = world.users["parent"]
    parent.set_password(PASSWORD)
    parent.save()
    admin.post(reverse("journal:account_active", args=[parent.pk]), {"active": "0"})
    assert not User.objects.get(pk=parent.pk).is_active
    assert authenticate(username=parent.username, password=PASSWORD) is None
    response = admin.post(reverse("journal:class_accounts", args=[world.class_5a.pk]), {"person": [f"u{parent.pk}"]})
    assert response.status_code == 400 and "отключён" in response.content.decode()
    admin.post(reverse("journal:account_active", args=[parent.pk]), {"active": "1"})
    assert authenticate(username=parent.username, password=PASSWORD) == User.objects.get(pk=parent.pk)


def test_nothing_chosen_is_a_message_and_another_schools_person_is_not_found(
    world: World, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("administrator")
    response = admin.post(reverse("journal:class_accounts", args=[world.class_5a.pk]), {})
    assert response.status_code == 400 and "Выберите" in response.content.decode()
    assert admin.post(reverse("journal:account_reissue", args=[world.users["foreign_teacher"].pk])).status_code == 404
    assert admin.get(reverse("journal:class_accounts", args=[world.foreign_class.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["deputy", "class_teacher", "parent"])
def test_only_the_administrator_issues_logins(world: World, client_for: Callable[[str], Client], persona: str) -> None:
    response = client_for(persona).post(reverse("journal:account_reissue", args=[world.users["parent"].pk]))
    assert response.status_code == 403


def test_a_fragment_asked_for_before_the_password_is_changed_is_empty(world: World) -> None:
    """The navigation's badge, asked for by htmx on the forced password page, is not that page again."""
    parent = world.users["parent"]
    parent.must_change_password = True
    parent.save()
    client = Client()
    client.force_login(parent)
    response = client.get(reverse("messaging:badge"), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.content == b""
    assert client.get(reverse("diary:index")).url == reverse("password_change")


def test_the_return_address_is_a_page_of_this_site(world: World, client_for: Callable[[str], Client]) -> None:
    admin = client_for("administrator")
    url = reverse("journal:account_active", args=[world.users["parent"].pk])
    response = admin.post(url, {"active": "1", "next": "https://evil.example/phish"})
    assert response.url == reverse("journal:accounts")
    back = reverse("journal:class_accounts", args=[world.class_5a.pk])
    assert admin.post(url, {"active": "1", "next": back}).url == back
