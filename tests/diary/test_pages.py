"""The diary pages as a parent and a student open them: start, child switcher, week, files, navigation."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from journal.services.homework import homework_file_add, homework_set
from journal.services.structure import parent_link_create
from tests.conftest import World, _user
from tests.diary.conftest import MONDAY, day, lesson


def test_a_parent_is_sent_to_the_first_childs_week(world: World, client_for) -> None:
    response = client_for("parent").get(reverse("diary:index"))

    assert response.status_code == 302
    assert response.url == reverse("diary:week", kwargs={"student_id": world.child.pk})


def test_a_parent_without_children_is_told_so(world: World, client) -> None:
    lonely = _user("lonely", world.school, Role.PARENT, last_name="Одинокова")
    client.force_login(lonely)

    response = client.get(reverse("diary:index"))

    assert response.status_code == 200
    assert "Обратитесь к классному руководителю" in response.content.decode()


def test_a_parent_of_two_switches_between_them_and_sees_nothing_of_others(world: World, client_for) -> None:
    parent_link_create(
        actor=None, parent=world.users["parent"], student=world.student_6b, relation="mother", consent_given=True
    )
    client = client_for("parent")

    response = client.get(reverse("diary:week", kwargs={"student_id": world.child.pk}), {"week": MONDAY.isoformat()})

    assert [c.pk for c in response.context["children"]] == sorted(
        [world.child.pk, world.student_6b.pk], key=lambda pk: {world.child.pk: 1, world.student_6b.pk: 0}[pk]
    )
    text = response.content.decode()
    assert reverse("diary:week", kwargs={"student_id": world.student_6b.pk}) + f"?week={MONDAY}" in text
    assert world.other_child.last_name not in text


def test_a_student_sees_only_themself_and_no_switcher(world: World, client_for) -> None:
    response = client_for("student").get(reverse("diary:week", kwargs={"student_id": world.child.pk}))

    assert [c.pk for c in response.context["children"]] == [world.child.pk]
    text = response.content.decode()
    assert 'data-testid="child-switcher"' not in text
    assert 'data-testid="acknowledge"' not in text


def test_the_week_page_in_russian_with_previous_and_next_week(world: World, client_for) -> None:
    lesson(world.math_5a, day(1), 2, topic="Дроби")

    response = client_for("parent").get(
        reverse("diary:week", kwargs={"student_id": world.child.pk}), {"week": day(3).isoformat()}
    )

    text = response.content.decode()
    assert "05.10.2026 – 11.10.2026" in text
    assert "?week=2026-09-28" in text and "?week=2026-10-12" in text
    assert "Подтвердить: неделю прочитал(а)" in text and "Дроби" in text and "Тема" in text
    assert "Вторник" in text or "вторник" in text
    # The week's paper printout (reports app).
    pdf = reverse("reports:student_week_pdf", kwargs={"student_id": world.child.pk}) + "?week=2026-10-05"
    assert pdf in text


def test_a_bad_week_shows_the_current_one_with_a_message(world: World, client_for) -> None:
    response = client_for("parent").get(reverse("diary:week", kwargs={"student_id": world.child.pk}), {"week": "x"})

    assert response.status_code == 200
    assert "«x» — не дата; показана текущая неделя." in response.content.decode()


def test_a_parent_downloads_a_homework_file_as_an_attachment(world: World, client_for) -> None:
    held = lesson(world.math_5a, day(0))
    homework = homework_set(actor=world.users["teacher"], lesson=held, text="§ 3")
    upload = SimpleUploadedFile("Задание.pdf", b"%PDF-1.4\nbody")
    row = homework_file_add(actor=world.users["teacher"], homework=homework, upload=upload)

    week = client_for("parent").get(
        reverse("diary:week", kwargs={"student_id": world.child.pk}), {"week": MONDAY.isoformat()}
    )
    url = reverse("diary:homework_file", kwargs={"student_id": world.child.pk, "file_id": row.pk})
    response = client_for("parent").get(url)

    assert url in week.content.decode()
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4\nbody"
    # The journal's own download stays closed to parents (§3.12).
    assert client_for("parent").get(reverse("journal:homework_file", kwargs={"file_id": row.pk})).status_code == 403


def test_navigation_and_home_lead_parents_and_students_to_the_diary(world: World, client_for) -> None:
    """A parent of one child and the student open on the child's week itself (the home page is the diary)."""
    for persona in ("parent", "student"):
        response = client_for(persona).get(reverse("home"))
        labels = [item.label for item in response.context["nav_items"]]
        assert "Дневник" in labels and "События" in labels
        assert response.context["week"].student == world.child
    teacher_labels = [item.label for item in client_for("teacher").get(reverse("home")).context["nav_items"]]
    assert "Дневник" not in teacher_labels and "События" in teacher_labels
