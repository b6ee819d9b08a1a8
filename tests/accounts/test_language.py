"""The interface language (the issue «Every role's desk», Language): Russian unless the user chose English,
whatever the browser's Accept-Language; the choice is kept with the account, so it follows the user to
another browser, and before signing in with this browser (the cookie).
"""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from tests.conftest import World

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _lang(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_browser_asking_for_english_gets_russian(world: World, client_for: Callable[[str], Client]) -> None:
    login = Client().get(reverse("login"), **ENGLISH_BROWSER)
    home = client_for("teacher").get(reverse("home"), **ENGLISH_BROWSER)

    assert _lang(login) == "ru" and "Войти" in login.content.decode()
    assert _lang(home) == "ru" and login["Content-Language"] == "ru"


def test_the_users_choice_is_remembered_and_follows_them_to_another_browser(
    world: World, client_for: Callable[[str], Client]
) -> None:
    teacher = world.users["teacher"]
    office = client_for("teacher")

    switched = office.post(reverse("set_language"), {"language": "en", "next": reverse("home")})

    assert switched.status_code == 302
    teacher.refresh_from_db()
    assert teacher.language == "en"
    assert _lang(office.get(reverse("home"))) == "en"
    phone = client_for("teacher")  # another browser: no cookie, the account remembers
    assert _lang(phone.get(reverse("journal:course_list"))) == "en"
    # The colleague at the next computer is still in Russian.
    assert _lang(client_for("other_teacher").get(reverse("home"), **ENGLISH_BROWSER)) == "ru"

    phone.post(reverse("set_language"), {"language": "ru", "next": reverse("home")})
    assert _lang(office.get(reverse("home"))) == "ru"


def test_an_unknown_language_changes_nothing(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("parent")

    client.post(reverse("set_language"), {"language": "de", "next": reverse("home")})

    world.users["parent"].refresh_from_db()
    assert world.users["parent"].language == ""
    assert _lang(client.get(reverse("home"))) == "ru"


def test_set_language_takes_posts_only(world: World, client_for: Callable[[str], Client]) -> None:
    for persona in ("anonymous", "teacher", "parent"):
        assert client_for(persona).get(reverse("set_language")).status_code == 405
