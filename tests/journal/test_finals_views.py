"""The final-marks page of a course (issue 4): suggestion, reason when differing, locked periods, refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from journal import models as m
from tests.factories import YEAR_START

Q1_END = datetime.date(2026, 10, 25)


@pytest.fixture
def q1(world) -> m.StudyPeriod:
    return m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=1, start=YEAR_START, end=Q1_END)


@pytest.fixture
def marks(world, q1) -> None:
    """The child: 5 (×1) and 3 (×3) → average 3.50, suggested 3."""
    for number, (value, weight) in enumerate((("5", "1"), ("3", "3"))):
        lesson = m.Lesson.objects.create(
            course=world.math_5a, date=YEAR_START + datetime.timedelta(days=number), slot=1, status="held"
        )
        m.Mark.objects.create(
            lesson=lesson, student=world.child, value=value, weight=Decimal(weight), author=world.users["teacher"]
        )


def _url(world, q1) -> str:
    return f"{reverse('journal:course_finals', args=[world.math_5a.pk])}?period={q1.pk}"


def _post(world, q1, value: str, reason: str = "", *, confirm: bool = True, **extra):
    """A row's «Save» (the child has 2 marks of the 3 needed: a numeric mark is confirmed unless told)."""
    prefix = f"s{world.child.pk}"
    return {
        "period": q1.pk,
        "student": world.child.pk,
        f"{prefix}-student": world.child.pk,
        f"{prefix}-value": value,
        f"{prefix}-reason": reason,
        **({f"{prefix}-confirm": "on"} if confirm else {}),
        **extra,
    }


def _save_all(world, q1, values: dict, reasons: dict | None = None) -> dict:
    """The page's «Save all» with the rows' values (student → value)."""
    data: dict = {"period": q1.pk, "save_all": "1"}
    for student, value in values.items():
        prefix = f"s{student.pk}"
        data.update(
            {
                f"{prefix}-student": student.pk,
                f"{prefix}-value": value,
                f"{prefix}-reason": (reasons or {}).get(student, ""),
                f"{prefix}-confirm": "on",
            }
        )
    return data


def test_a_numeric_mark_below_the_minimum_of_marks_asks_for_confirmation(world, q1, marks, client_for):
    client = client_for("teacher")
    page = client.get(_url(world, q1)).content.decode()
    assert f'data-testid="confirm-{world.child.pk}"' in page  # 2 marks of 3

    response = client.post(_url(world, q1), _post(world, q1, "3", confirm=False))
    assert response.status_code == 400
    assert "2 отметок из 3" in response.content.decode()
    assert not m.FinalMark.objects.exists()

    assert (
        client.post(_url(world, q1), _post(world, q1, "на", "Мало отметок", confirm=False)).status_code == 302
    )  # н/а: no question
    assert m.FinalMark.objects.get().value == "на"


def test_save_all_stores_every_rows_mark_and_comes_back_to_the_same_place(world, q1, marks, client_for):
    response = client_for("teacher").post(
        _url(world, q1),
        _save_all(world, q1, {world.child: "4", world.other_child: "на"}, {world.child: "Устный ответ"}),
    )

    assert response.status_code == 302
    assert response.url.endswith("#final-save-all")
    assert dict(m.FinalMark.objects.values_list("student_id", "value")) == {
        world.child.pk: "4",
        world.other_child.pk: "на",
    }


def test_save_all_mid_quarter_saves_the_changed_row_not_the_untouched_suggestions(world, q1, marks, client_for):
    """The page comes filled with the suggestions; the teacher changes one row and presses «Save all»: that
    row is saved, the suggestion left as it was is not (it would ask a confirmation nobody gave)."""
    client = client_for("teacher")
    page = client.get(_url(world, q1)).content.decode()
    assert 'value="3" selected' in page  # the child's suggestion, 2 marks of the 3 needed
    data = {
        "period": q1.pk,
        "save_all": "1",
        # as the browser sends the form: the child's row untouched (no confirmation ticked)…
        f"s{world.child.pk}-student": world.child.pk,
        f"s{world.child.pk}-value": "3",
        f"s{world.child.pk}-reason": "",
        # …and the other child's row changed
        f"s{world.other_child.pk}-student": world.other_child.pk,
        f"s{world.other_child.pk}-value": "на",
        f"s{world.other_child.pk}-reason": "",
    }

    response = client.post(_url(world, q1), data, follow=True)

    assert "Сохранена 1 итоговая отметка." in response.content.decode()
    assert dict(m.FinalMark.objects.values_list("student_id", "value")) == {world.other_child.pk: "на"}


def test_accepting_the_suggestions_saves_them_for_the_rows_without_a_mark(world, q1, marks, client_for):
    """«Accept the suggestions» is a choice of its own: every row with enough marks gets its suggestion; a
    row below the minimum is left to be confirmed on its own."""
    for number, value in enumerate(("4", "4", "5")):
        lesson = m.Lesson.objects.create(
            course=world.math_5a, date=YEAR_START + datetime.timedelta(days=number), slot=2, status="held"
        )
        m.Mark.objects.create(lesson=lesson, student=world.other_child, value=value, author=world.users["teacher"])

    client = client_for("teacher")
    assert 'data-testid="accept-suggested"' in client.get(_url(world, q1)).content.decode()

    response = client.post(_url(world, q1), {"period": q1.pk, "accept_suggested": "1"}, follow=True)

    assert "Сохранена 1 итоговая отметка." in response.content.decode()
    assert dict(m.FinalMark.objects.values_list("student_id", "value")) == {world.other_child.pk: "4"}


def test_save_all_saves_nothing_when_a_row_is_refused_and_says_which(world, q1, marks, client_for):
    # The child's 4 differs from the suggested 3 and has no reason: the other row is not saved either.
    response = client_for("teacher").post(
        _url(world, q1), _save_all(world, q1, {world.child: "4", world.other_child: "на"})
    )

    assert response.status_code == 400
    html = response.content.decode()
    row = html.split(f'data-testid="final-row-{world.child.pk}"', 1)[1].split("</tbody>", 1)[0]
    assert 'data-testid="row-error"' in row
    assert not m.FinalMark.objects.exists()
    assert f'name="s{world.other_child.pk}-value"' in html  # the page comes back with what was chosen


def test_the_teacher_sees_the_count_average_and_suggestion_prefilled(world, q1, marks, client_for):
    response = client_for("teacher").get(_url(world, q1))

    assert response.status_code == 200
    html = response.content.decode()
    assert "3,50" in html or "3.50" in html
    row = response.context["rows"][[r.student for r, _ in response.context["rows"]].index(world.child)]
    assert row[1].initial["value"] == "3"
    assert 'value="3" selected' in html


def test_a_final_mark_differing_without_reason_shows_the_error_and_saves_nothing(world, q1, marks, client_for):
    response = client_for("teacher").post(_url(world, q1), _post(world, q1, "4"))

    assert response.status_code == 400
    assert "differs from the suggested" in response.content.decode() or "отличается" in response.content.decode()
    assert not m.FinalMark.objects.exists()


def test_a_final_mark_differing_with_a_reason_is_saved_and_shown(world, q1, marks, client_for):
    client = client_for("teacher")

    response = client.post(_url(world, q1), _post(world, q1, "4", "Исправил контрольную"))

    assert response.status_code == 302
    assert response.url.endswith(f"#final-row-{world.child.pk}")  # the page keeps its place
    mark = m.FinalMark.objects.get()
    assert (mark.value, mark.suggested, mark.reason, mark.period) == ("4", "3", "Исправил контрольную", q1)
    page = client.get(response.url).content.decode()
    assert "Исправил контрольную" in page


def test_a_stale_version_is_refused_with_the_value_now_stored(world, q1, marks, client_for):
    client = client_for("teacher")
    client.post(_url(world, q1), _post(world, q1, "3"))

    response = client.post(_url(world, q1), _post(world, q1, "5", "Олимпиада"))

    assert response.status_code == 400
    assert m.FinalMark.objects.get().value == "3"


def test_a_locked_period_is_read_only_and_a_post_is_refused(world, q1, marks, client_for):
    q1.is_locked = True
    q1.save()
    client = client_for("teacher")

    page = client.get(_url(world, q1))
    response = client.post(_url(world, q1), _post(world, q1, "3"))

    assert 'data-testid="locked-notice"' in page.content.decode()
    assert "<select" not in page.content.decode()
    # The period's tab says it is closed in words beside the icon (no emoji a screen reader spells out).
    tab = page.content.decode().split('class="nav-link active"', 1)[1].split("</a>", 1)[0]
    assert 'data-testid="locked"' in tab and "закрыт" in tab and "🔒" not in page.content.decode()
    assert response.status_code == 403
    assert not m.FinalMark.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("parent", 403), ("student", 403), ("other_teacher", 404), ("class_teacher", 403), ("deputy", 403)],
)
def test_a_post_by_anyone_but_the_teacher_is_refused_and_changes_nothing(
    world, q1, marks, client_for, persona, expected
):
    response = client_for(persona).post(_url(world, q1), _post(world, q1, "3"))

    assert response.status_code == expected
    assert not m.FinalMark.objects.exists()


def test_the_deputy_reads_the_page_without_inputs(world, q1, marks, client_for):
    response = client_for("deputy").get(_url(world, q1))

    assert response.status_code == 200
    assert "<select" not in response.content.decode()


def test_a_period_of_another_year_kind_is_not_found(world, q1, client_for):
    half = m.StudyPeriod.objects.create(year=world.year, kind="half_year", number=1, start=YEAR_START, end=Q1_END)

    response = client_for("teacher").get(
        f"{reverse('journal:course_finals', args=[world.math_5a.pk])}?period={half.pk}"
    )

    assert response.status_code == 404


def test_the_course_page_links_to_the_final_marks(world, client_for):
    response = client_for("teacher").get(reverse("journal:course_detail", args=[world.math_5a.pk]))

    assert reverse("journal:course_finals", args=[world.math_5a.pk]) in response.content.decode()


def test_save_all_leaves_rows_without_a_chosen_mark_alone(world, q1, marks, client_for):
    response = client_for("teacher").post(
        _url(world, q1),
        _save_all(world, q1, {world.child: "на", world.other_child: ""}, {world.child: "Мало отметок"}),
    )

    assert response.status_code == 302
    assert list(m.FinalMark.objects.values_list("student_id", flat=True)) == [world.child.pk]
