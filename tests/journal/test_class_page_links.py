"""A class page links a student's name only for those who may open the student's card: a subject teacher
of the class reads the names, the class teacher and the administration follow them (the issue «Every
role's desk», dead links)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World


def _student_links(page: str) -> list[str]:
    return re.findall(r'href="(/students/\d+/)"', page)


def test_a_subject_teacher_sees_the_names_without_links(world: World, client_for: Callable[[str], Client]) -> None:
    page = client_for("teacher").get(reverse("journal:class_detail", args=[world.class_5a.pk])).content.decode()

    assert world.child.full_name in page and world.other_child.full_name in page
    assert _student_links(page) == []


@pytest.mark.parametrize("persona", ["class_teacher", "deputy", "director", "administrator"])
def test_those_who_may_open_a_card_get_links_that_open(
    world: World, client_for: Callable[[str], Client], persona: str
) -> None:
    client = client_for(persona)
    page = client.get(reverse("journal:class_detail", args=[world.class_5a.pk])).content.decode()

    links = _student_links(page)
    assert sorted(links) == sorted(
        reverse("journal:student_detail", args=[s.pk]) for s in (world.child, world.other_child)
    )
    assert [client.get(link).status_code for link in links] == [200, 200]
