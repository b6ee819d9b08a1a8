"""Query budgets of the inbox, the notifications page and the nav badge, with enough rows for an N+1 to show.

Every authenticated page starts with the same four queries:
  1. django_session   2. accounts_user   3. journal_school (request.school)
  4. journal_membershiprole (the user's roles)
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from journal.services.structure import parent_link_create
from messaging.models import Notification, NotificationKind
from messaging.services.threads import announcement_post, message_reply, thread_create
from tests.conftest import World
from tests.factories import UserFactory

_serial = count()

BUDGETS = {
    # 5. COUNT of the user's threads (paginator)
    # 6. the page of threads with unread count and last text (subqueries), student, class, author (JOINs)
    # 7. the other participants of those conversations with their users (prefetch)
    # 8. the current year's classes the user may announce to
    "messaging:inbox": 8,
    # 5. COUNT of the user's notifications (paginator)
    # 6. the page of notifications with student, course and subject (JOINs)
    "messaging:notifications": 6,
    # 5. both counters in one query (two scalar subqueries)
    "messaging:badge": 5,
}


def _grow(world: World, n: int) -> None:
    """``n`` more conversations of the class teacher with new parents (with replies), announcements and
    notifications of the parent."""
    class_teacher = world.users["class_teacher"]
    for _ in range(n):
        i = next(_serial)
        parent = UserFactory(username=f"p{i}", roles=(Role.PARENT,), last_name=f"Родитель{i}", school=world.school)
        parent_link_create(actor=None, parent=parent, student=world.other_child, consent_given=True)
        thread = thread_create(
            actor=parent, school=world.school, recipient=class_teacher, subject=f"Вопрос {i}", text="Здравствуйте"
        )
        message_reply(actor=class_teacher, thread=thread, text="Добрый день")
        message_reply(actor=parent, thread=thread, text="Спасибо")
        announcement_post(actor=class_teacher, class_group=world.class_5a, subject=f"Объявление {i}", text="…")
        Notification.objects.create(
            recipient=world.users["parent"],
            student=world.child,
            kind=NotificationKind.LOW_MARK,
            text=f"Соколов Артём: отметка 2 ({i})",
            course=world.math_5a,
            day=datetime.date(2026, 11, 30),
        )


def _queries(client: Client, name: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(
    ("name", "persona"),
    [
        ("messaging:inbox", "class_teacher"),
        ("messaging:notifications", "parent"),
        ("messaging:badge", "parent"),
        ("messaging:badge", "class_teacher"),
    ],
)
def test_page_runs_a_constant_number_of_queries(
    world: World, client_for: Callable[[str], Client], name: str, persona: str
) -> None:
    client = client_for(persona)
    _grow(world, 2)
    small = _queries(client, name)
    _grow(world, 12)
    large = _queries(client, name)

    assert len(large) == len(small), "\n".join(large)
    assert len(large) <= BUDGETS[name], "\n".join(large)


def test_the_grown_pages_do_show_the_rows(world: World, client_for: Callable[[str], Client]) -> None:
    _grow(world, 14)

    inbox = client_for("class_teacher").get(reverse("messaging:inbox"))
    threads = list(inbox.context["threads"])
    assert len(threads) == 28
    assert all(t.others for t in threads if t.kind == "direct")
    assert len(client_for("parent").get(reverse("messaging:notifications")).context["rows"]) == 14
    badge = client_for("class_teacher").get(reverse("messaging:badge")).context["counts"]
    assert badge.threads == 14  # each parent's «Спасибо» is unread
