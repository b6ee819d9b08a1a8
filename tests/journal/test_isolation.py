"""Two schools on one server see nothing of each other: pages, detail views and the admin.

Both schools have a class «5А» and a subject «Математика», so names alone
cannot tell them apart; the tests also look for links to the other school's
objects (their URLs carry the primary key).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from journal import models as m
from tests.conftest import World

SCHOOL_1_STAFF = ("administrator", "deputy", "director")
SCHOOL_2_STAFF = ("foreign_admin", "foreign_teacher")

# Names that exist only in school 1 (people, a subject, a class) and only in school 2.
SCHOOL_1_NAMES = ("Школа № 1", "Иванова", "Петров", "Смирнова", "Соколов", "Волкова", "Новиков", "Русский язык", "6Б")
SCHOOL_2_NAMES = ("Школа № 2", "Орлов", "Чужой", "Дальний")


def _links_of_school_1(world: World) -> list[str]:
    return [
        reverse("journal:course_detail", args=[world.math_5a.pk]),
        reverse("journal:course_detail", args=[world.russian_6b.pk]),
        reverse("journal:class_detail", args=[world.class_5a.pk]),
        reverse("journal:class_detail", args=[world.class_6b.pk]),
        reverse("journal:student_detail", args=[world.child.pk]),
        reverse("journal:student_detail", args=[world.other_child.pk]),
        reverse("journal:student_detail", args=[world.student_6b.pk]),
    ]


def _links_of_school_2(world: World) -> list[str]:
    return [
        reverse("journal:course_detail", args=[world.foreign_course.pk]),
        reverse("journal:class_detail", args=[world.foreign_class.pk]),
        reverse("journal:student_detail", args=[world.foreign_student.pk]),
    ]


def _leaks(html: str, names: tuple[str, ...], links: list[str]) -> list[str]:
    return [name for name in names if name in html] + [link for link in links if f'href="{link}"' in html]


# --- Journal pages -------------------------------------------------------------


def _own_pages(world: World, school: int) -> list[tuple[str, str]]:
    """(url, a marker that must be on it) for every list and detail page of one school."""
    if school == 1:
        course, class_group, student = world.math_5a, world.class_5a, world.child
        student_name = "Соколов Артём"
    else:
        course, class_group, student = world.foreign_course, world.foreign_class, world.foreign_student
        student_name = "Дальний"
    course_url = reverse("journal:course_detail", args=[course.pk])
    class_url = reverse("journal:class_detail", args=[class_group.pk])
    return [
        (reverse("home"), f'href="{class_url}"'),
        (reverse("journal:course_list"), f'href="{course_url}"'),
        (reverse("journal:class_list"), f'href="{class_url}"'),
        (course_url, "Математика"),
        (class_url, student_name),
        (reverse("journal:student_detail", args=[student.pk]), student_name),
    ]


def test_school_2_administrator_sees_nothing_of_school_1_on_any_page(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("foreign_admin")

    for url, marker in _own_pages(world, school=2):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert marker in html, url  # the page does show school 2's data
        assert _leaks(html, SCHOOL_1_NAMES, _links_of_school_1(world)) == [], url


def test_school_2_teacher_sees_nothing_of_school_1_on_their_pages(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("foreign_teacher")
    course_link = f'href="{reverse("journal:course_detail", args=[world.foreign_course.pk])}"'
    # A teacher's home lists their courses; a subject teacher opens no student card
    # (that is the class teacher's, 404 in the matrix).
    pages = [
        (url, course_link if url == reverse("home") else marker)
        for url, marker in _own_pages(world, school=2)
        if "/students/" not in url
    ]

    for url, marker in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert marker in html, url
        assert _leaks(html, SCHOOL_1_NAMES, _links_of_school_1(world)) == [], url


@pytest.mark.parametrize("persona", SCHOOL_1_STAFF)
def test_school_1_administration_sees_nothing_of_school_2_on_any_page(
    world: World, client_for: Callable[[str], Client], persona: str
) -> None:
    client = client_for(persona)

    for url, marker in _own_pages(world, school=1):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert marker in html, url
        assert _leaks(html, SCHOOL_2_NAMES, _links_of_school_2(world)) == [], url


@pytest.mark.parametrize("persona", SCHOOL_2_STAFF)
def test_school_1_detail_pages_are_not_found_for_school_2_staff(
    world: World, client_for: Callable[[str], Client], persona: str
) -> None:
    client = client_for(persona)

    statuses = {url: client.get(url).status_code for url in _links_of_school_1(world)}

    assert statuses == dict.fromkeys(_links_of_school_1(world), 404)


@pytest.mark.parametrize("persona", SCHOOL_1_STAFF)
def test_school_2_detail_pages_are_not_found_for_school_1_administration(
    world: World, client_for: Callable[[str], Client], persona: str
) -> None:
    client = client_for(persona)

    statuses = {url: client.get(url).status_code for url in _links_of_school_2(world)}

    assert statuses == dict.fromkeys(_links_of_school_2(world), 404)


# --- Django admin ----------------------------------------------------------------


def _school_objects(world: World, school: m.School) -> dict[str, set[object]]:
    """The rows each changelist should show to that school's administrator."""
    return {
        "journal/student": set(m.Student.objects.filter(school=school)),
        "journal/classgroup": set(m.ClassGroup.objects.filter(year__school=school)),
        "journal/course": set(m.Course.objects.filter(class_group__year__school=school)),
        "journal/subject": set(m.Subject.objects.filter(school=school)),
        "accounts/user": set(User.objects.filter(memberships__school=school)),
    }


def _change_url(obj: object) -> str:
    meta = obj._meta  # type: ignore[attr-defined]
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [("administrator", "school", "foreign_school"), ("foreign_admin", "foreign_school", "school")],
)
@pytest.mark.parametrize(
    "changelist", ["journal/student", "journal/classgroup", "journal/course", "journal/subject", "accounts/user"]
)
def test_admin_changelist_shows_only_own_schools_rows(
    world: World, client_for: Callable[[str], Client], persona: str, own: str, other: str, changelist: str
) -> None:
    own_rows = _school_objects(world, getattr(world, own))[changelist]
    other_rows = _school_objects(world, getattr(world, other))[changelist]
    assert own_rows and other_rows  # both schools have something to hide

    response = client_for(persona).get(f"/admin/{changelist}/")

    assert response.status_code == 200
    assert set(response.context["cl"].queryset) == own_rows
    html = response.content.decode()
    assert all(_change_url(obj) in html for obj in own_rows)
    assert [obj for obj in other_rows if _change_url(obj) in html] == []


def test_admin_list_filters_offer_only_own_schools_years_and_subjects(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("administrator")
    foreign_year = world.foreign_class.year
    foreign_subject = world.foreign_course.subject

    classes_html = client.get("/admin/journal/classgroup/").content.decode()
    courses_html = client.get("/admin/journal/course/").content.decode()

    assert f"year__id__exact={foreign_year.pk}" not in classes_html
    assert f"subject__id__exact={world.math_5a.subject_id}" in courses_html
    assert f"subject__id__exact={foreign_subject.pk}" not in courses_html


@pytest.mark.parametrize(
    "obj",
    ["foreign_course", "foreign_class", "foreign_student", "foreign_subject", "foreign_teacher"],
)
def test_admin_change_page_of_other_schools_object_redirects_to_admin_index(
    world: World, client_for: Callable[[str], Client], obj: str
) -> None:
    # Django admin answers an object outside get_queryset() like a deleted one:
    # a redirect to the index with "doesn't exist. Perhaps it was deleted?".
    target = {
        "foreign_course": world.foreign_course,
        "foreign_class": world.foreign_class,
        "foreign_student": world.foreign_student,
        "foreign_subject": world.foreign_course.subject,
        "foreign_teacher": world.users["foreign_teacher"],
    }[obj]
    client = client_for("administrator")
    url = _change_url(target)

    response = client.get(url)
    posted = client.post(url, {"last_name": "Взломанный", "grade": 9, "letter": "Я", "name": "Взлом"})

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert posted.status_code == 302
    assert posted.url == reverse("admin:index")
    target.refresh_from_db()  # type: ignore[attr-defined]
    assert "Взлом" not in str(target)


def test_admin_cannot_change_password_of_other_schools_user(world: World, client_for: Callable[[str], Client]) -> None:
    foreign_teacher = world.users["foreign_teacher"]
    url = reverse("admin:auth_user_password_change", args=[foreign_teacher.pk])

    response = client_for("administrator").post(url, {"password1": "Vzlom-12345", "password2": "Vzlom-12345"})

    assert response.status_code == 404
    foreign_teacher.refresh_from_db()
    assert foreign_teacher.check_password("pass-12345")


def _choices(form: object, field: str) -> set[object]:
    return set(form.fields[field].queryset)  # type: ignore[attr-defined]


def test_course_add_form_offers_only_own_schools_classes_subjects_and_teachers(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("administrator").get(reverse("admin:journal_course_add"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert _choices(form, "class_group") == {world.class_5a, world.class_6b}
    assert _choices(form, "subject") == {world.math_5a.subject, world.russian_6b.subject}
    (assignments,) = response.context["inline_admin_formsets"]
    teachers = _choices(assignments.formset.empty_form, "teacher")
    assert world.users["teacher"] in teachers
    assert teachers <= set(User.objects.filter(memberships__school=world.school))
    html = response.content.decode()
    for foreign in (world.foreign_class, world.foreign_course.subject, world.users["foreign_teacher"]):
        assert f'<option value="{foreign.pk}">{foreign}</option>' not in html


def test_classgroup_add_form_offers_only_own_schools_years_teachers_and_rooms(
    world: World, client_for: Callable[[str], Client]
) -> None:
    own_room = m.Room.objects.create(school=world.school, name="101")
    foreign_room = m.Room.objects.create(school=world.foreign_school, name="202")

    response = client_for("administrator").get(reverse("admin:journal_classgroup_add"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert _choices(form, "year") == {world.year}
    assert _choices(form, "home_room") == {own_room}
    teachers = _choices(form, "class_teacher")
    assert world.users["class_teacher"] in teachers
    assert world.users["foreign_teacher"] not in teachers
    assert world.users["foreign_admin"] not in teachers
    html = response.content.decode()
    assert f'value="{world.foreign_class.year.pk}"' not in html
    assert f'<option value="{foreign_room.pk}">' not in html
    assert f'<option value="{world.users["foreign_teacher"].pk}">' not in html


def test_course_add_form_refuses_other_schools_class(world: World, client_for: Callable[[str], Client]) -> None:
    data = {
        "class_group": world.foreign_class.pk,
        "subject": world.math_5a.subject_id,
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    before = m.Course.objects.count()

    response = client_for("administrator").post(reverse("admin:journal_course_add"), data)

    assert response.status_code == 200
    assert "class_group" in response.context["adminform"].form.errors
    assert m.Course.objects.count() == before


@pytest.mark.parametrize(
    "persona",
    ["anonymous", "teacher", "class_teacher", "parent", "student", "deputy", "director", "foreign_teacher"],
)
@pytest.mark.parametrize("path", ["/admin/", "/admin/journal/student/", "/admin/accounts/user/"])
def test_admin_redirects_everyone_but_administrators_to_admin_login(
    client_for: Callable[[str], Client], persona: str, path: str
) -> None:
    response = client_for(persona).get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona", ["administrator", "foreign_admin"])
def test_admin_opens_for_school_administrators(client_for: Callable[[str], Client], persona: str) -> None:
    assert client_for(persona).get("/admin/").status_code == 200


@pytest.mark.parametrize("persona", ["anonymous", "teacher", "parent"])
def test_admin_login_page_opens_for_anyone_not_yet_an_administrator(
    client_for: Callable[[str], Client], persona: str
) -> None:
    response = client_for(persona).get(reverse("admin:login"))

    assert response.status_code == 200
    assert "Электронный журнал: администрирование" in response.content.decode()


def test_school_administrator_logs_in_through_the_admin_login_form(world: World) -> None:
    client = Client()
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "administrator", "password": "pass-12345", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.get("/admin/journal/student/").status_code == 200


def test_teacher_cannot_log_in_through_the_admin_login_form(world: World) -> None:
    client = Client()
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "teacher", "password": "pass-12345", "next": "/admin/"},
    )

    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_admin_user_search_offers_only_own_schools_people(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("administrator").get(
        "/admin/autocomplete/",
        {"app_label": "journal", "model_name": "student", "field_name": "user", "term": ""},
    )

    assert response.status_code == 200
    offered = {row["text"] for row in response.json()["results"]}
    assert str(world.users["teacher"]) in offered
    assert str(world.users["foreign_teacher"]) not in offered
    assert str(world.users["foreign_admin"]) not in offered
