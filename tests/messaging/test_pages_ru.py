"""The pages speak Russian by default."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from messaging.services.threads import thread_create
from tests.conftest import World


def test_the_inbox_and_compose_are_in_russian(world: World, client_for: Callable[[str], Client]) -> None:
    thread_create(
        actor=world.users["parent"],
        school=world.school,
        recipient=world.users["teacher"],
        subject="Контрольная",
        text="Здравствуйте",
        about_student=world.child,
    )
    client = client_for("teacher")

    inbox = client.get(reverse("messaging:inbox")).content.decode()
    compose = client.get(reverse("messaging:compose")).content.decode()

    assert "Новое сообщение" in inbox
    assert "о ребёнке: Соколов Артём" in inbox
    assert "Кому" in compose and "Тема" in compose
    assert "Родители 5А" in compose
    assert "Администрация школы" in compose


def test_a_refused_recipient_gets_a_russian_message(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("parent").post(
        reverse("messaging:compose"),
        {"recipient": world.users["other_parent"].pk, "subject": "Привет", "text": "Привет"},
    )

    assert "Выберите" in response.content.decode()


def test_preferences_offer_the_daily_letter_in_russian(world: World, client_for: Callable[[str], Client]) -> None:
    page = client_for("parent").get(reverse("messaging:preferences")).content.decode()

    assert "одно письмо в день" in page.lower()
