"""Permission-matrix rows of the messaging app's URLs (joined in tests/test_permission_matrix.py).

A thread is visible to its participants only (the administration too gets a
404 for a conversation it is not in: messages are private); an announcement is
posted by the class's class teacher and the administration; a notification is
its recipient's alone. Empty POSTs: the form comes back with its errors (200).
"""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix import KwargsFactory, Row, missing, no_kwargs, pk_of, statuses


def _thread(sender: str, recipient: str, about: str | None = None) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        from messaging.services.threads import thread_create

        thread = thread_create(
            actor=world.users[sender],
            school=world.school,
            recipient=world.users[recipient],
            subject="Домашнее задание",
            text="Добрый день!",
            about_student=getattr(world, about) if about else None,
        )
        return {"thread_id": thread.pk}

    kwargs.__name__ = f"thread_{sender}_{recipient}"
    return kwargs


def _notification(world: World) -> dict[str, Any]:
    from messaging.models import Notification, NotificationKind

    notification = Notification.objects.create(
        recipient=world.users["parent"],
        student=world.child,
        kind=NotificationKind.LOW_MARK,
        text="Соколов Артём: оценка 2",
        course=world.math_5a,
    )
    return {"notification_id": notification.pk}


# fmt: off
ROWS: list[Row] = [
    Row("messaging:inbox", no_kwargs,                  statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("messaging:badge", no_kwargs,                  statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("messaging:compose", no_kwargs,                statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("messaging:compose", no_kwargs,                statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        method="post"),
    # The parent's conversation with the mathematics teacher: the two of them, nobody else.
    Row("messaging:thread", _thread("parent", "teacher", "child"),
                                                       statuses(302, 200, 404, 404, 404, 200, 404, 404, 404, 404)),
    Row("messaging:thread", _thread("parent", "teacher", "child"),
                                                       statuses(302, 200, 404, 404, 404, 200, 404, 404, 404, 404),
        method="post"),
    # Another child's parent with the same teacher: parent A never sees it.
    Row("messaging:thread", _thread("other_parent", "class_teacher", "other_child"),
                                                       statuses(302, 404, 404, 404, 200, 404, 404, 404, 404, 404)),
    Row("messaging:thread", _thread("student", "teacher"),
                                                       statuses(302, 200, 404, 404, 404, 404, 200, 404, 404, 404)),
    Row("messaging:thread", missing("thread_id"),      statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("messaging:thread", missing("thread_id"),      statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
        method="post"),
    # Announcements: the class teacher of 5А and the administration; parents and students never (§3.12: 403).
    Row("messaging:announce", pk_of("class_id", "class_5a"),
                                                       statuses(302, 403, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("messaging:announce", pk_of("class_id", "class_5a"),
                                                       statuses(302, 403, 404, 404, 200, 403, 403, 200, 200, 200),
        method="post"),
    # School 2's class: its own teacher sees it but does not lead it (403); school 1 gets 404.
    Row("messaging:announce", pk_of("class_id", "foreign_class"),
                                                       statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    Row("messaging:announce", pk_of("class_id", "foreign_class"),
                                                       statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404),
        method="post"),
    Row("messaging:announce", missing("class_id"),     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("messaging:notifications", no_kwargs,          statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("messaging:notifications_read", no_kwargs,     statuses(302, 405, 405, 405, 405, 405, 405, 405, 405, 405)),
    Row("messaging:notifications_read", no_kwargs,     statuses(302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
        method="post"),
    # The parent's notification about their child: theirs alone (following it marks it read and redirects).
    Row("messaging:notification_open", _notification, statuses(302, 404, 404, 404, 404, 302, 404, 404, 404, 404)),
    Row("messaging:notification_open", missing("notification_id"),
                                                       statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("messaging:preferences", no_kwargs,            statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("messaging:preferences", no_kwargs,            statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        method="post"),
]
# fmt: on
