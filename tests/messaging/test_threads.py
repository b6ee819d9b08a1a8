"""Threads, replies, reading and unread counters; class announcements reaching exactly the class's parents."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from journal.services.structure import enrolment_create, parent_link_create
from messaging.models import Participant, Thread, ThreadKind
from messaging.selectors.threads import threads_of, unread_counts
from messaging.services.threads import announcement_post, message_reply, thread_create, thread_mark_read
from tests.conftest import World
from tests.factories import YEAR_START, StudentFactory, UserFactory


def _thread(world: World, sender: str = "parent", recipient: str = "teacher") -> Thread:
    return thread_create(
        actor=world.users[sender],
        school=world.school,
        recipient=world.users[recipient],
        subject="Контрольная работа",
        text="Когда можно переписать?",
        about_student=world.child if sender == "parent" else None,
    )


def test_a_new_thread_is_unread_for_the_recipient_only(world: World) -> None:
    _thread(world)

    assert unread_counts(world.users["teacher"]).threads == 1
    assert unread_counts(world.users["parent"]).threads == 0


def test_reading_the_thread_page_clears_its_unread_count(world: World, client_for: Callable[[str], Client]) -> None:
    thread = _thread(world)
    client = client_for("teacher")

    response = client.get(reverse("messaging:thread", args=[thread.pk]))

    assert response.status_code == 200
    assert "Когда можно переписать?" in response.content.decode()
    assert unread_counts(world.users["teacher"]).threads == 0


def test_a_reply_makes_the_thread_unread_for_the_other_side_with_the_count_of_new_messages(world: World) -> None:
    thread = _thread(world)
    teacher, parent = world.users["teacher"], world.users["parent"]
    thread_mark_read(actor=teacher, thread=thread)

    message_reply(actor=teacher, thread=thread, text="В четверг после уроков.")
    message_reply(actor=teacher, thread=thread, text="Кабинет 21.")

    row = threads_of(parent, world.school).get(pk=thread.pk)
    assert row.unread == 2
    assert row.last_text == "Кабинет 21."
    assert threads_of(teacher, world.school).get(pk=thread.pk).unread == 0
    assert unread_counts(parent).threads == 1


def test_a_reply_by_post_goes_into_the_thread(world: World, client_for: Callable[[str], Client]) -> None:
    thread = _thread(world)

    response = client_for("teacher").post(reverse("messaging:thread", args=[thread.pk]), {"text": "Хорошо"})

    assert response.status_code == 302
    assert list(thread.messages.values_list("text", flat=True)) == ["Когда можно переписать?", "Хорошо"]


def test_an_empty_reply_is_refused_and_nothing_is_written(world: World, client_for: Callable[[str], Client]) -> None:
    thread = _thread(world)

    response = client_for("teacher").post(reverse("messaging:thread", args=[thread.pk]), {"text": "  "})

    assert response.status_code == 200
    assert thread.messages.count() == 1


def test_a_non_participant_cannot_reply(world: World) -> None:
    thread = _thread(world)

    with pytest.raises(PermissionDenied):
        message_reply(actor=world.users["other_parent"], thread=thread, text="Я тоже хочу")


def test_parent_of_another_child_gets_404_for_the_thread(world: World, client_for: Callable[[str], Client]) -> None:
    thread = _thread(world)

    for persona in ("student", "director"):
        assert client_for(persona).get(reverse("messaging:thread", args=[thread.pk])).status_code == 404
    client = Client()
    client.force_login(world.users["other_parent"])
    assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 404
    assert client.post(reverse("messaging:thread", args=[thread.pk]), {"text": "x"}).status_code == 404
    assert thread.messages.count() == 1


def test_the_inbox_lists_own_threads_only_unread_first(world: World, client_for: Callable[[str], Client]) -> None:
    read = _thread(world)
    thread_mark_read(actor=world.users["teacher"], thread=read)
    unread = _thread(world, "class_teacher", "teacher")
    thread_create(
        actor=world.users["other_parent"],
        school=world.school,
        recipient=world.users["class_teacher"],
        subject="Чужая тема",
        text="…",
    )

    response = client_for("teacher").get(reverse("messaging:inbox"))

    assert [t.pk for t in response.context["threads"]] == [unread.pk, read.pk]
    assert "Чужая тема" not in response.content.decode()


def test_compose_creates_a_thread_with_both_participants(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("parent").post(
        reverse("messaging:compose"),
        {
            "recipient": world.users["class_teacher"].pk,
            "about_student": world.child.pk,
            "subject": "Пропуск",
            "text": "Артём завтра не придёт.",
        },
    )

    thread = Thread.objects.get(subject="Пропуск")
    assert response.status_code == 302
    assert response.url == reverse("messaging:thread", args=[thread.pk])
    assert set(thread.participants.values_list("user__username", flat=True)) == {"parent", "class_teacher"}
    assert thread.about_student == world.child


def test_compose_does_not_offer_and_refuses_another_parent(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("parent")
    page = client.get(reverse("messaging:compose")).content.decode()
    assert "Волкова Ольга" not in page

    response = client.post(
        reverse("messaging:compose"),
        {"recipient": world.users["other_parent"].pk, "subject": "Привет", "text": "Привет"},
    )

    assert response.status_code == 200
    assert not Thread.objects.exists()


# --- Announcements ----------------------------------------------------------------------------------------------


def test_an_announcement_reaches_exactly_the_parents_of_the_class_today(world: World) -> None:
    father = UserFactory(username="father", roles=(Role.PARENT,), school=world.school)
    parent_link_create(actor=None, parent=father, student=world.child, relation="father", consent_given=True)
    parent_6b = UserFactory(username="parent6b", roles=(Role.PARENT,), school=world.school)
    parent_link_create(actor=None, parent=parent_6b, student=world.student_6b, relation="mother", consent_given=True)

    thread = announcement_post(
        actor=world.users["class_teacher"], class_group=world.class_5a, subject="Собрание", text="В пятницу в 18:00."
    )

    assert thread.kind == ThreadKind.ANNOUNCEMENT
    assert set(thread.participants.values_list("user__username", flat=True)) == {
        "class_teacher",
        "parent",
        "other_parent",
        "father",
    }
    assert unread_counts(world.users["other_parent"]).threads == 1
    assert unread_counts(parent_6b).threads == 0


def test_a_parent_joining_later_does_not_see_an_earlier_announcement(world: World) -> None:
    announcement_post(actor=world.users["class_teacher"], class_group=world.class_5a, subject="Экскурсия", text="…")
    newcomer = StudentFactory(school=world.school, last_name="Новый")
    enrolment_create(actor=None, student=newcomer, class_group=world.class_5a, date_from=YEAR_START)
    late_parent = UserFactory(username="late", roles=(Role.PARENT,), school=world.school)
    parent_link_create(actor=None, parent=late_parent, student=newcomer, relation="mother", consent_given=True)

    assert not threads_of(late_parent, world.school).exists()


def test_parents_cannot_reply_to_an_announcement_but_are_offered_to_write_to_its_author(
    world: World, client_for: Callable[[str], Client]
) -> None:
    thread = announcement_post(
        actor=world.users["class_teacher"], class_group=world.class_5a, subject="Собрание", text="В пятницу."
    )

    with pytest.raises(ValidationError):
        message_reply(actor=world.users["parent"], thread=thread, text="Всем привет")
    page = client_for("parent").get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert f"{reverse('messaging:compose')}?to={world.users['class_teacher'].pk}" in page
    assert 'name="text"' not in page


def test_only_the_class_teacher_and_the_administration_announce(world: World) -> None:
    with pytest.raises(PermissionDenied):
        announcement_post(actor=world.users["teacher"], class_group=world.class_5a, subject="Тест", text="…")
    posted = announcement_post(actor=world.users["deputy"], class_group=world.class_5a, subject="Тест", text="…")
    assert Participant.objects.filter(thread=posted).count() == 3


def test_announce_page_posts_and_says_how_many_parents_got_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("class_teacher")

    response = client.post(
        reverse("messaging:announce", args=[world.class_5a.pk]),
        {"subject": "Родительское собрание", "text": "В пятницу в 18:00, кабинет 12."},
        follow=True,
    )

    assert response.status_code == 200
    assert "2" in response.content.decode()
    thread = Thread.objects.get(kind=ThreadKind.ANNOUNCEMENT)
    assert thread.class_group == world.class_5a
