"""Weak passwords are refused with a reason in Russian (the issue «Faults and bad input», finding 4): the
passwords that were accepted before, and a few good ones that still pass."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

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
GOOD = ["ЛетоНаДаче#47", "trout-Moscow-95!", "зелёный-чайник-8"]


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


def test_the_reasons_are_in_russian(user) -> None:
    assert "распространён" in _refused("пароль12", user)
    assert "имя" in _refused("Анна1990", user)
    assert "разных символов" in _refused("aaaaaaaa", user)


@pytest.mark.parametrize("password", GOOD)
def test_a_good_password_passes(user, password: str) -> None:
    validate_password(password, user)
