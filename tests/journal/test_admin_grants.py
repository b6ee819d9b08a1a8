"""Access follows the changes the school administrator makes in the Django admin.

The forms are posted as the browser would send them: the rendered form's
values, the inline management forms (``assignments-TOTAL_FORMS`` …) and the
rows, changed where the administrator would change them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from tests.admin_forms import add_inline_row, admin_errors, admin_form_data
from tests.conftest import World
from tests.factories import YEAR_START

ASSIGNMENTS = "assignments"  # TeachingAssignmentInline's prefix (related_name of Course.assignments)
PARENT_LINKS = "parent_links"


def _course_url(course: m.Course) -> str:
    return reverse("journal:course_detail", args=[course.pk])


def _post_change_form(client: Client, obj: object, change: Callable[[dict[str, object]], None]) -> None:
    """Open the admin change page of ``obj``, apply ``change`` to its data and save it."""
    meta = obj._meta  # type: ignore[attr-defined]
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])  # type: ignore[attr-defined]
    data = admin_form_data(client.get(url))
    change(data)

    response = client.post(url, data)

    assert admin_errors(response) == []
    assert response.status_code == 302
    assert response.url == reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


# --- Teaching assignments in the Course form ----------------------------------------------


def test_adding_teaching_assignment_in_course_admin_grants_course_access(
    world: World, client_for: Callable[[str], Client]
) -> None:
    other_teacher = world.users["other_teacher"]
    assert client_for("other_teacher").get(_course_url(world.math_5a)).status_code == 404

    _post_change_form(
        client_for("administrator"),
        world.math_5a,
        lambda data: add_inline_row(data, ASSIGNMENTS, teacher=other_teacher.pk, date_from=YEAR_START.isoformat()),
    )

    assert m.TeachingAssignment.objects.filter(course=world.math_5a, teacher=other_teacher).exists()
    response = client_for("other_teacher").get(_course_url(world.math_5a))
    assert response.status_code == 200
    assert 'data-testid="can-edit"' in response.content.decode()
    # The teacher already assigned keeps the course.
    assert client_for("teacher").get(_course_url(world.math_5a)).status_code == 200


def test_new_course_with_teacher_added_in_admin_is_open_to_that_teacher(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("administrator")
    data = admin_form_data(client.get(reverse("admin:journal_course_add")))
    data.update(class_group=world.class_6b.pk, subject=world.math_5a.subject_id)
    add_inline_row(data, ASSIGNMENTS, teacher=world.users["teacher"].pk, date_from=YEAR_START.isoformat())

    response = client.post(reverse("admin:journal_course_add"), data)

    assert admin_errors(response) == []
    course = m.Course.objects.get(class_group=world.class_6b, subject=world.math_5a.subject)
    assert client_for("teacher").get(_course_url(course)).status_code == 200


def test_replacing_teacher_in_course_admin_moves_course_access(
    world: World, client_for: Callable[[str], Client]
) -> None:
    other_teacher = world.users["other_teacher"]

    _post_change_form(
        client_for("administrator"),
        world.math_5a,
        lambda data: data.update({f"{ASSIGNMENTS}-0-teacher": other_teacher.pk}),
    )

    assert client_for("other_teacher").get(_course_url(world.math_5a)).status_code == 200
    assert client_for("teacher").get(_course_url(world.math_5a)).status_code == 404


def test_ending_teaching_assignment_in_course_admin_removes_course_access(
    world: World, client_for: Callable[[str], Client]
) -> None:
    today = timezone.localdate().isoformat()

    _post_change_form(
        client_for("administrator"), world.math_5a, lambda data: data.update({f"{ASSIGNMENTS}-0-date_to": today})
    )

    assert client_for("teacher").get(_course_url(world.math_5a)).status_code == 404


def test_deleting_teaching_assignment_in_course_admin_removes_course_access(
    world: World, client_for: Callable[[str], Client]
) -> None:
    _post_change_form(
        client_for("administrator"), world.math_5a, lambda data: data.update({f"{ASSIGNMENTS}-0-DELETE": "on"})
    )

    assert not m.TeachingAssignment.objects.filter(course=world.math_5a).exists()
    assert client_for("teacher").get(_course_url(world.math_5a)).status_code == 404


# --- Class teacher in the ClassGroup form ----------------------------------------------------


def test_changing_class_teacher_in_admin_moves_access(world: World, client_for: Callable[[str], Client]) -> None:
    urls = [
        reverse("journal:class_detail", args=[world.class_5a.pk]),
        reverse("journal:student_detail", args=[world.child.pk]),
        _course_url(world.math_5a),
    ]

    _post_change_form(
        client_for("administrator"),
        world.class_5a,
        lambda data: data.update(class_teacher=world.users["other_teacher"].pk),
    )

    world.class_5a.refresh_from_db()
    assert world.class_5a.class_teacher == world.users["other_teacher"]
    assert [client_for("other_teacher").get(url).status_code for url in urls] == [200, 200, 200]
    assert [client_for("class_teacher").get(url).status_code for url in urls] == [404, 404, 404]


def test_clearing_class_teacher_in_admin_removes_access(world: World, client_for: Callable[[str], Client]) -> None:
    _post_change_form(client_for("administrator"), world.class_5a, lambda data: data.pop("class_teacher"))

    url = reverse("journal:class_detail", args=[world.class_5a.pk])
    assert client_for("class_teacher").get(url).status_code == 404


# --- Parent links in the Student form -----------------------------------------------------------


def test_replacing_parent_in_student_admin_moves_access_to_childs_card(
    world: World, client_for: Callable[[str], Client]
) -> None:
    url = reverse("journal:student_detail", args=[world.child.pk])
    assert client_for("other_parent").get(url).status_code == 404

    _post_change_form(
        client_for("administrator"),
        world.child,
        lambda data: data.update({f"{PARENT_LINKS}-0-parent": world.users["other_parent"].pk}),
    )

    assert client_for("other_parent").get(url).status_code == 200
    assert client_for("parent").get(url).status_code == 404


def test_ending_parent_link_in_student_admin_removes_parents_access(
    world: World, client_for: Callable[[str], Client]
) -> None:
    url = reverse("journal:student_detail", args=[world.child.pk])
    now = timezone.localtime()

    def end_link(data: dict[str, object]) -> None:
        data[f"{PARENT_LINKS}-0-ended_at_0"] = now.date().isoformat()
        data[f"{PARENT_LINKS}-0-ended_at_1"] = now.strftime("%H:%M:%S")

    _post_change_form(client_for("administrator"), world.child, end_link)

    assert client_for("parent").get(url).status_code == 404
