"""Weak passwords are refused with a reason in Russian (the issue «Faults and bad input», finding 4): the
passwords that were accepted before, and a few good ones that still pass."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from demo.builder import set_demo_passwords
from demo.management.commands.seed_demo import DEFAULT_PASSWORD
from tests.conftest import World

WEAK = [
    "aaaaaaaa",  # one character
    "12121212",
    "пароль12",  # Russian common, digits added
    "gfhjkm123",  # «пароль» typed on the English layout
    "йцукен2026",
    "qwerty123",
    "Школа№1!!",  # the school's name
    "школа № 1",
    "Анна1990",  # the user's first name
    "Иванова!2026",  # the user's last name
    "teacher2026",  # the login
    "password",
    "1234567890",
]
# Accepted before the estimate of guesses (zxcvbn taught Russian), each guessed in fewer than 10^10 tries.
GUESSABLE = [
    "йцукенгш",  # a walk along the Russian keyboard's top row
    "ячсмитьбю",  # and its bottom row
    "фывапролдж",  # and its middle row
    "Journal2026",  # a school's word and a year
    "Dnevnik2026!",  # «дневник» transliterated
    "Zhurnal-2026",  # «журнал» transliterated
    "Demo-pass-2027",  # the demo's word, «pass» and a year, with hyphens between
    "Иван!Иван!Иван!",  # a Russian name repeated
    "Пётр2026!",  # a Russian name and a year
    "Masha1990",  # a Russian name transliterated and a year
]
GOOD = [
    "ЛетоНаДаче#47",
    "trout-Moscow-95!",
    "зелёный-чайник-8",
    "Svoy-parol-dlya-dnevnika-7",
    "Nov-pass-7391",
    "Vesna-2027-sad",
]


@pytest.fixture
def user(world: World):
    return world.users["teacher"]  # Иванова Анна, «Школа № 1», login «teacher»


def _refused(password: str, user) -> str:
    with translation.override("ru"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return " ".join(refused.value.messages)


@pytest.mark.parametrize("password", WEAK)
def test_a_weak_password_is_refused_with_a_reason(user, password: str) -> None:
    assert _refused(password, user)


@pytest.mark.parametrize("password", GUESSABLE)
def test_a_password_guessed_in_few_tries_is_refused_with_the_reason(user, password: str) -> None:
    assert "легко подобрать" in _refused(password, user)


def test_the_reasons_are_in_russian(user) -> None:
    assert "распространён" in _refused("пароль12", user)
    assert "имя" in _refused("Анна1990", user)
    assert "разных символов" in _refused("aaaaaaaa", user)


@pytest.mark.parametrize("password", GOOD)
def test_a_good_password_passes(user, password: str) -> None:
    validate_password(password, user)


def test_the_demos_documented_password_still_signs_in_though_no_one_could_choose_it(world: World) -> None:
    """``seed_demo`` sets its accounts' password directly (``set_demo_passwords``), not through the validators:
    the default it prints works, while a person choosing it is refused."""
    assert set_demo_passwords(world.school, DEFAULT_PASSWORD) > 0
    client = Client()
    response = client.post(reverse("login"), {"username": "parent", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert _refused(DEFAULT_PASSWORD, world.users["parent"])
