"""Every named URL × every persona → the status code they get.

One table, one parametrized test (pretix ``src/tests/control/test_permissions.py``).
A new view is added to ``MATRIX`` in the same commit: the meta-test below
walks the URL resolver and names any URL the table lacks. The ``admin:``
namespace is covered by ``tests/journal/test_isolation.py``; ``set_language``
by the tests at the end of this module.

Semantics (DESIGN.md, "Roles and scopes"; CONVENTIONS.md, "One access layer"):
anonymous → 302 to the login page; parents and students on the journal's staff
pages → 403 (§3.12); an object outside the user's scope → 404, never 403, so a
parent cannot learn that another child exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from journal import models as m
from tests.conftest import PERSONAS, World

# The columns of every row below, in this order. The meta-test checks that they
# are exactly the personas of tests.conftest.
COLUMNS = (
    "anonymous",
    "teacher",  # teaches 5А mathematics
    "other_teacher",  # teaches 6Б Russian
    "foreign_teacher",  # teaches in school 2
    "class_teacher",  # leads 5А, teaches nothing
    "parent",  # parent of child (5А)
    "student",  # child's own login
    "administrator",
    "deputy",
    "director",
)

KwargsFactory = Callable[[World], dict[str, Any]]


class Row(NamedTuple):
    name: str
    kwargs: KwargsFactory
    expected: dict[str, int]
    method: str = "get"


def statuses(*codes: int) -> dict[str, int]:
    return dict(zip(COLUMNS, codes, strict=True))


def no_kwargs(world: World) -> dict[str, Any]:
    return {}


def pk_of(kwarg: str, attr: str) -> KwargsFactory:
    """``{kwarg: world.<attr>.pk}``, named after the object for readable test ids."""

    def kwargs(world: World) -> dict[str, Any]:
        return {kwarg: getattr(world, attr).pk}

    kwargs.__name__ = attr
    return kwargs


def missing(kwarg: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {kwarg: 999_999_999}

    kwargs.__name__ = "missing"
    return kwargs


# fmt: off
MATRIX: list[Row] = [
    #                                                         anon tch  oth  frn  ctch par  stu  adm  dep  dir
    Row("home", no_kwargs,                           statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    # A signed-in user is sent on from the login page (redirect_authenticated_user).
    Row("login", no_kwargs,                          statuses(200, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    # Logout is POST only (Django ≥ 5): GET is refused, POST logs out and goes to the login page.
    Row("logout", no_kwargs,                         statuses(405, 405, 405, 405, 405, 405, 405, 405, 405, 405)),
    Row("logout", no_kwargs,                         statuses(302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
        method="post"),
    Row("password_change", no_kwargs,                statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),

    # Lists: the journal side is for staff; each sees their own scope in it.
    Row("journal:course_list", no_kwargs,            statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:class_list", no_kwargs,             statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),

    # Courses: the teacher's own, the class teacher's class, the whole school for the administration.
    Row("journal:course_detail", pk_of("course_id", "math_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:course_detail", pk_of("course_id", "russian_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:course_detail", pk_of("course_id", "foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_detail", missing("course_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),

    # Classes: the led class, the classes one teaches in, all of the school for the administration.
    Row("journal:class_detail", pk_of("class_id", "class_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:class_detail", pk_of("class_id", "class_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:class_detail", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:class_detail", missing("class_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),

    # Student cards: the class teacher (current class), the parent, the student themself,
    # the administration. A subject teacher opens no card.
    Row("journal:student_detail", pk_of("student_id", "child"),
                                                     statuses(302, 404, 404, 404, 200, 200, 200, 200, 200, 200)),
    Row("journal:student_detail", pk_of("student_id", "other_child"),
                                                     statuses(302, 404, 404, 404, 200, 404, 404, 200, 200, 200)),
    Row("journal:student_detail", pk_of("student_id", "student_6b"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 200, 200, 200)),
    Row("journal:student_detail", pk_of("student_id", "foreign_student"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("journal:student_detail", missing("student_id"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
]
# fmt: on

# Covered by their own tests, not by the matrix.
NOT_IN_MATRIX = ("set_language",)
NOT_IN_MATRIX_NAMESPACES = ("admin",)


def _row_id(row: Row) -> str:
    return f"{row.method.upper()} {row.name}[{row.kwargs.__name__}]"


@pytest.mark.parametrize("row", MATRIX, ids=_row_id)
def test_permission_matrix(world: World, client_for: Callable[[str], Client], row: Row) -> None:
    # One world per row, every persona against it: a failure shows the whole row's
    # difference (persona → status), and the suite builds 20 worlds, not 200.
    url = reverse(row.name, kwargs=row.kwargs(world))
    actual: dict[str, int] = {}
    for persona in PERSONAS:
        response = getattr(client_for(persona), row.method)(url)
        actual[persona] = response.status_code
        if persona == "anonymous" and response.status_code == 302:
            assert response.url.startswith(reverse("login")), url
        if persona != "anonymous" and response.status_code == 200:
            # Pages with children's data never stay in a shared browser's cache.
            assert "no-store" in response["Cache-Control"], (persona, url)

    assert actual == row.expected, f"{row.method.upper()} {url}"


# --- The matrix itself --------------------------------------------------------


def _named_urls(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _named_urls(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_is_in_the_permission_matrix() -> None:
    names = {
        name
        for name in _named_urls(get_resolver().url_patterns)
        if name not in NOT_IN_MATRIX and name.split(":")[0] not in NOT_IN_MATRIX_NAMESPACES
    }

    assert "journal:course_list" in names  # the walk reaches namespaced includes
    assert sorted(names - {row.name for row in MATRIX}) == []


def test_permission_matrix_rows_name_existing_urls() -> None:
    names = set(_named_urls(get_resolver().url_patterns))

    assert sorted({row.name for row in MATRIX} - names) == []


def test_permission_matrix_columns_are_the_personas() -> None:
    assert sorted(COLUMNS) == sorted(PERSONAS)


# --- set_language ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "parent", "teacher"])
def test_set_language_switches_to_english_and_returns(client_for: Callable[[str], Client], persona: str) -> None:
    client = client_for(persona)

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert response.cookies["django_language"].value == "en"


def test_set_language_does_not_redirect_to_another_site(db: None, client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response.url


# --- POST by people outside the scope: refused, nothing changes ------------------


def _state() -> dict[str, list[Any]]:
    """Everything a write through these views could touch, in a comparable form."""
    return {
        "assignments": list(m.TeachingAssignment.objects.order_by("pk").values_list()),
        "class_teachers": list(m.ClassGroup.objects.order_by("pk").values_list("pk", "class_teacher_id")),
        "parent_links": list(m.ParentLink.objects.order_by("pk").values_list()),
        "enrolments": list(m.Enrolment.objects.order_by("pk").values_list()),
        "students": list(m.Student.objects.order_by("pk").values_list()),
        "course_perms": list(m.CourseUserObjectPermission.objects.order_by("pk").values_list()),
        "class_perms": list(m.ClassGroupUserObjectPermission.objects.order_by("pk").values_list()),
        "student_perms": list(m.StudentUserObjectPermission.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "is_active", "must_change_password")),
    }


@pytest.mark.parametrize(
    ("persona", "name", "kwargs", "expected"),
    [
        ("parent", "journal:course_detail", pk_of("course_id", "math_5a"), 403),
        ("student", "journal:class_detail", pk_of("class_id", "class_5a"), 403),
        ("other_teacher", "journal:course_detail", pk_of("course_id", "math_5a"), 404),
        ("other_teacher", "journal:class_detail", pk_of("class_id", "class_5a"), 404),
        ("teacher", "journal:student_detail", pk_of("student_id", "child"), 404),
        ("parent", "journal:student_detail", pk_of("student_id", "other_child"), 404),
        ("student", "journal:student_detail", pk_of("student_id", "other_child"), 404),
        ("foreign_teacher", "journal:course_detail", pk_of("course_id", "math_5a"), 404),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_post_outside_scope_is_refused_and_changes_nothing(
    world: World, client_for: Callable[[str], Client], persona: str, name: str, kwargs: KwargsFactory, expected: int
) -> None:
    before = _state()
    payload = {"teacher": world.users[persona].pk, "class_teacher": world.users[persona].pk, "date_to": "2026-10-01"}

    response = client_for(persona).post(reverse(name, kwargs=kwargs(world)), payload)

    assert response.status_code == expected
    assert _state() == before


def test_password_change_without_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["parent"])
    before = _state()

    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-12345", "new_password1": "Nov-pass-7391", "new_password2": "Nov-pass-7391"},
    )

    assert response.status_code == 403
    assert _state() == before


def test_password_change_with_wrong_old_password_changes_nothing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    before = _state()

    response = client_for("student").post(
        reverse("password_change"),
        {"old_password": "not-my-password", "new_password1": "Nov-pass-7391", "new_password2": "Nov-pass-7391"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert _state() == before


def test_anonymous_password_change_post_is_sent_to_login_and_changes_nothing(world: World, client: Client) -> None:
    before = _state()

    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-12345", "new_password1": "Nov-pass-7391", "new_password2": "Nov-pass-7391"},
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert _state() == before


def test_password_change_touches_only_the_signed_in_users_password(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("parent").post(
        reverse("password_change"),
        {"old_password": "pass-12345", "new_password1": "Nov-pass-7391", "new_password2": "Nov-pass-7391"},
    )

    assert response.status_code == 302
    passwords = dict(User.objects.values_list("username", "password"))
    assert check_password("Nov-pass-7391", passwords.pop("parent"))
    assert all(check_password("pass-12345", encoded) for encoded in passwords.values())


def test_logout_without_csrf_token_is_refused_and_session_survives(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["teacher"])

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert client.get(reverse("home")).status_code == 200


def test_logout_by_get_keeps_the_session(client_for: Callable[[str], Client]) -> None:
    client = client_for("teacher")

    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_logout_by_post_ends_the_session(client_for: Callable[[str], Client]) -> None:
    client = client_for("teacher")

    client.post(reverse("logout"))

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
