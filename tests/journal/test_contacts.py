"""Contact data (§3.7, §4.3, §5.3.1, §5.6): the class teacher edits a parent's phone and e-mail with
history, marks the class checked once a month; a parent sees their own data and asks for a correction."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from accounts.models import User
from journal import models as m
from tests.conftest import World


def test_the_class_teacher_edits_a_parents_contacts_with_history_and_marks_them_checked(
    world: World, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("class_teacher")
    url = reverse("journal:class_contacts", args=[world.class_5a.pk])
    parent = world.users["parent"]
    assert parent.full_name in teacher.get(url).content.decode()
    response = teacher.post(
        url, {"action": "update", "person": parent.pk, "phone": "+7 900 111-22-33", "email": "mama@example.org"}
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert (parent.phone, parent.email) == ("+7 900 111-22-33", "mama@example.org")
    changes = list(m.ContactChange.objects.filter(person=parent).values_list("field", "new", "changed_by"))
    assert sorted(changes) == [
        ("email", "mama@example.org", world.users["class_teacher"].pk),
        ("phone", "+7 900 111-22-33", world.users["class_teacher"].pk),
    ]
    page = teacher.get(url).content.decode()
    assert "mama@example.org" in page.split('data-testid="contact-history"')[1]

    bad = teacher.post(url, {"action": "update", "person": parent.pk, "phone": "12", "email": "x"})
    assert bad.status_code == 400 and "не номер телефона" in bad.content.decode()
    assert User.objects.get(pk=parent.pk).phone == "+7 900 111-22-33"  # nothing half-written
    # A parent of another class is not found here.
    other = teacher.post(url, {"action": "update", "person": world.users["foreign_teacher"].pk, "phone": ""})
    assert other.status_code == 400

    teacher.post(url, {"action": "check"})
    teacher.post(url, {"action": "check"})
    assert m.ContactCheck.objects.filter(class_group=world.class_5a).count() == 1
    assert 'data-testid="contacts-checked"' not in teacher.get(url).content.decode()


def test_a_parent_sees_their_data_and_asks_for_a_correction_the_class_teacher_closes(
    world: World, client_for: Callable[[str], Client]
) -> None:
    parent = client_for("parent")
    page = parent.get(reverse("journal:my_contacts")).content.decode()
    assert world.users["parent"].full_name in page and world.child.full_name in page
    assert parent.post(reverse("journal:my_contacts"), {"text": "  "}).status_code == 400
    parent.post(reverse("journal:my_contacts"), {"text": "Новый телефон: +7 900 555-00-11"})
    teacher = client_for("class_teacher")
    url = reverse("journal:class_contacts", args=[world.class_5a.pk])
    assert "Новый телефон" in teacher.get(url).content.decode()
    request = m.ContactRequest.objects.get()
    teacher.post(url, {"action": "resolve", "request": request.pk})
    request.refresh_from_db()
    assert request.resolved_by == world.users["class_teacher"]
    assert "выполнено" in parent.get(reverse("journal:my_contacts")).content.decode()
    assert client_for("teacher").get(reverse("journal:my_contacts")).status_code == 404
