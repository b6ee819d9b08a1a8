"""The timetable screens: the week by class, teacher and room; in-place editing with htmx; lessons.

Messages are checked in English (``Accept-Language: en``), names as entered.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from journal import models as m
from journal.services.structure import teaching_assignment_create
from journal.services.timetable import timetable_entry_create
from tests.conftest import World
from tests.factories import YEAR_START, AcademicYearFactory, ClassGroupFactory

ON = datetime.date(2026, 11, 16)  # a Monday


@pytest.fixture(autouse=True)
def english_users(world: World) -> None:
    """Every persona chose English (the msgids) for the interface."""
    User.objects.update(language="en")


HTMX = {"HTTP_HX_REQUEST": "true"}


def _room(world: World, name: str) -> m.Room:
    return m.Room.objects.get_or_create(school=world.school, name=name)[0]


def _entry(course: m.Course, weekday: int = 1, slot: int = 1, room: m.Room | None = None) -> m.TimetableEntry:
    return timetable_entry_create(actor=None, course=course, weekday=weekday, slot=slot, room=room)


def _math_6b(world: World) -> m.Course:
    """6Б mathematics, taught by the same teacher as 5А mathematics."""
    course = m.Course.objects.create(class_group=world.class_6b, subject=world.math_5a.subject)
    teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=YEAR_START)
    return course


def _add_url(class_group: m.ClassGroup, weekday: int = 1, slot: int = 1) -> str:
    return reverse("journal:timetable_entry_add", args=[class_group.pk, weekday, slot])


def _add(client: Client, world: World, course: m.Course, *, slot: int = 1, room: m.Room | None = None, **extra: Any):
    return client.post(
        _add_url(course.class_group, 1, slot),
        {"course": course.pk, "room": room.pk if room else "", "valid_from": YEAR_START.isoformat(), "on": ON},
        **extra,
    )


# --- Reading the week ---------------------------------------------------------------------


def test_class_week_shows_bells_days_and_each_cell(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    _entry(world.math_5a, weekday=2, slot=3, room=_room(world, "204"))

    response = client_for("deputy").get(reverse("journal:timetable_class", args=[world.class_5a.pk]), {"on": ON})

    assert response.status_code == 200
    grid = response.context["grid"]
    assert [row.slot for row in grid.rows] == [1, 2, 3, 4, 5, 6, 7]
    assert [name for _, name, _ in grid.days] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert [date for _, _, date in grid.days][0] == ON
    (entry,) = grid.rows[2].cells[1].entries
    assert entry.course == world.math_5a
    html = response.content.decode()
    assert "08:30–09:15" in html
    assert "Иванова А." in html
    assert "204" in html
    assert "data-print" in html and "js/print.js" in html


def test_week_as_of_a_date_shows_the_entries_valid_then(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    entry = _entry(world.math_5a)
    entry.valid_to = datetime.date(2026, 12, 31)
    entry.save(update_fields=["valid_to"])
    client = client_for("deputy")
    url = reverse("journal:timetable_class", args=[world.class_5a.pk])

    before = client.get(url, {"on": "2026-12-28"}).context["grid"]
    after = client.get(url, {"on": "2027-01-11"}).context["grid"]

    assert before.entry_count == 1
    assert after.entry_count == 0


def test_a_date_outside_the_year_shows_the_nearest_day_of_it(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    url = reverse("journal:timetable_class", args=[world.class_5a.pk])

    response = client_for("deputy").get(url, {"on": "2031-01-01"})

    assert response.context["on"] == world.year.end


def test_teacher_sees_their_own_week_across_classes(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    _entry(world.math_5a, weekday=1, slot=1, room=_room(world, "101"))
    _entry(_math_6b(world), weekday=2, slot=2)
    _entry(world.russian_6b, weekday=1, slot=2)
    teacher = world.users["teacher"]

    response = client_for("teacher").get(reverse("journal:timetable_teacher", args=[teacher.pk]), {"on": ON})

    assert response.status_code == 200
    grid = response.context["grid"]
    assert grid.entry_count == 2
    html = response.content.decode()
    assert "5А · Математика" in html and "6Б · Математика" in html
    assert "Русский язык" not in html


def test_a_teacher_cannot_open_another_teachers_week(world: World, client_for: Callable[[str], Client]) -> None:
    url = reverse("journal:timetable_teacher", args=[world.users["other_teacher"].pk])

    assert client_for("teacher").get(url).status_code == 404
    assert client_for("deputy").get(url).status_code == 200


def test_room_week_lists_the_classes_and_teachers_in_the_room(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    room = _room(world, "204")
    _entry(world.math_5a, weekday=1, slot=1, room=room)
    _entry(world.russian_6b, weekday=1, slot=2, room=room)
    _entry(world.russian_6b, weekday=1, slot=3, room=_room(world, "101"))

    response = client_for("director").get(reverse("journal:timetable_room", args=[room.pk]), {"on": ON})

    assert response.context["grid"].entry_count == 2
    html = response.content.decode()
    assert "5А · Иванова А." in html
    assert "6Б · Петров О." in html


def test_second_shift_lessons_show_their_own_times_in_a_teachers_week(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    second = m.BellSchedule.objects.create(school=world.school, name="2 смена", shift=2)
    m.BellSlot.objects.create(schedule=second, number=1, start=datetime.time(14, 0), end=datetime.time(14, 45))
    world.class_6b.bell_schedule = second
    world.class_6b.save(update_fields=["bell_schedule"])
    _entry(_math_6b(world), weekday=3, slot=1)

    response = client_for("teacher").get(
        reverse("journal:timetable_teacher", args=[world.users["teacher"].pk]), {"on": ON}
    )

    assert "14:00–14:45" in response.content.decode()


def test_index_lists_what_each_reader_may_open(world: World, client_for: Callable[[str], Client]) -> None:
    teacher, room = world.users["teacher"], _room(world, "204")
    teacher_url = reverse("journal:timetable_teacher", args=[teacher.pk])
    other_url = reverse("journal:timetable_teacher", args=[world.users["other_teacher"].pk])
    room_url = reverse("journal:timetable_room", args=[room.pk])

    own = client_for("teacher").get(reverse("journal:timetable")).content.decode()
    deputy = client_for("deputy").get(reverse("journal:timetable")).content.decode()

    assert teacher_url in own and other_url not in own and room_url not in own
    assert reverse("journal:timetable_class", args=[world.class_5a.pk]) in own
    assert reverse("journal:timetable_class", args=[world.class_6b.pk]) not in own
    assert teacher_url in deputy and other_url in deputy and room_url in deputy
    assert reverse("journal:timetable_generate") in deputy
    assert reverse("journal:timetable_generate") not in own


def test_regime_shows_the_bells_and_teaching_days_per_period(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=2, start=datetime.date(2026, 11, 2), end=datetime.date(2026, 11, 29)
    )
    m.Holiday.objects.create(
        year=world.year, name="Осенние каникулы", start=datetime.date(2026, 11, 2), end=datetime.date(2026, 11, 8)
    )

    response = client_for("teacher").get(reverse("journal:timetable_regime"))

    assert response.status_code == 200
    (period,) = response.context["regime"].periods
    assert (period.days, period.weeks) == (15, 3.0)  # four weeks of five days, one of them holidays
    html = response.content.decode()
    assert "Осенние каникулы" in html
    assert "14:00" in html  # lesson 7 starts at 14:00


# --- Editing cells with htmx ------------------------------------------------------------------


def test_the_add_form_offers_only_the_courses_of_the_class_and_defaults_to_today(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").get(_add_url(world.class_5a), {"on": ON}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment for the cell
    assert list(response.context["form"].fields["course"].queryset) == [world.math_5a]
    assert f'hx-post="{_add_url(world.class_5a)}"' in html
    assert 'hx-target="#cell-1-1"' in html


def test_the_add_form_of_a_year_not_yet_begun_starts_on_its_first_day(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    future = AcademicYearFactory(
        school=world.school,
        name="2030/2031",
        start=datetime.date(2030, 9, 1),
        end=datetime.date(2031, 5, 31),
        is_current=False,
    )
    class_group = ClassGroupFactory(year=future, grade=5, letter="А")

    response = client_for("deputy").get(_add_url(class_group))

    assert response.context["form"]["valid_from"].value() == datetime.date(2030, 9, 1)


def test_deputy_adds_an_entry_and_gets_the_cell_back(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    response = _add(client_for("deputy"), world, world.math_5a, room=_room(world, "204"), **HTMX)

    assert response.status_code == 200
    entry = m.TimetableEntry.objects.get()
    assert (entry.course, entry.weekday, entry.slot, entry.room.name, entry.valid_from) == (
        world.math_5a,
        1,
        1,
        "204",
        YEAR_START,
    )
    html = response.content.decode()
    assert "<form" not in html
    assert "Математика" in html and "Иванова А." in html and "204" in html
    assert 'data-testid="cell-notice"' in html


def test_without_htmx_adding_goes_back_to_the_grid(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    response = _add(client_for("administrator"), world, world.math_5a)

    assert response.status_code == 302
    assert response.url == f"{reverse('journal:timetable_class', args=[world.class_5a.pk])}?on={ON.isoformat()}"
    assert m.TimetableEntry.objects.count() == 1


def test_a_teacher_clash_is_refused_with_the_teachers_name_and_nothing_is_saved(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    _entry(world.math_5a)
    math_6b = _math_6b(world)

    response = _add(client_for("deputy"), world, math_6b, **HTMX)

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("Иванова А." in e for e in errors)
    assert "Иванова А." in response.content.decode()
    assert not m.TimetableEntry.objects.filter(course=math_6b).exists()


def test_a_room_clash_is_refused_with_the_rooms_name(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    room = _room(world, "204")
    _entry(world.math_5a, room=room)

    response = _add(client_for("deputy"), world, world.russian_6b, room=room, **HTMX)

    assert any("204" in e for e in response.context["form"].non_field_errors())
    assert m.TimetableEntry.objects.count() == 1


def test_a_slot_outside_the_bells_is_refused(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    response = _add(client_for("deputy"), world, world.math_5a, slot=8, **HTMX)

    assert any("1 смена" in e for e in response.context["form"].non_field_errors())
    assert not m.TimetableEntry.objects.exists()


def test_saturday_cell_of_a_five_day_school_does_not_exist(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").post(
        _add_url(world.class_5a, 6, 1), {"course": world.math_5a.pk, "valid_from": YEAR_START}
    )

    assert response.status_code == 404
    assert not m.TimetableEntry.objects.exists()


def test_a_course_of_another_class_cannot_be_put_in_the_cell(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").post(
        _add_url(world.class_5a), {"course": world.russian_6b.pk, "valid_from": YEAR_START}, **HTMX
    )

    assert response.context["form"].errors["course"]
    assert not m.TimetableEntry.objects.exists()


def test_a_date_outside_the_year_is_refused(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").post(
        _add_url(world.class_5a), {"course": world.math_5a.pk, "valid_from": "2027-06-15"}, **HTMX
    )

    assert "15.06.2027" in response.context["form"].errors["valid_from"][0]
    assert not m.TimetableEntry.objects.exists()


def test_ending_an_entry_from_a_date_keeps_the_weeks_before(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    entry = _entry(world.math_5a)

    response = client_for("deputy").post(
        reverse("journal:timetable_entry_end", args=[entry.pk]), {"first_free_day": "2027-01-11", "on": ON}, **HTMX
    )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.valid_from, entry.valid_to) == (YEAR_START, datetime.date(2027, 1, 10))
    assert "10.01.2027" in response.content.decode()  # the cell says until when


def test_ending_an_entry_after_its_own_end_is_refused(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    entry = _entry(world.math_5a)
    entry.valid_to = datetime.date(2026, 12, 31)
    entry.save(update_fields=["valid_to"])

    response = client_for("deputy").post(
        reverse("journal:timetable_entry_end", args=[entry.pk]), {"first_free_day": "2027-02-01"}, **HTMX
    )

    assert response.context["form"].errors["first_free_day"]
    entry.refresh_from_db()
    assert entry.valid_to == datetime.date(2026, 12, 31)


def test_changing_the_room_from_a_date_splits_the_entry(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    entry = _entry(world.math_5a, room=_room(world, "101"))
    new_room = _room(world, "102")

    response = client_for("deputy").post(
        reverse("journal:timetable_entry_room", args=[entry.pk]),
        {"room": new_room.pk, "from_date": "2026-11-16", "on": "2026-11-16"},
        **HTMX,
    )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.valid_to == datetime.date(2026, 11, 15)
    new = m.TimetableEntry.objects.exclude(pk=entry.pk).get()
    assert (new.room, new.valid_from, new.valid_to) == (new_room, ON, None)
    assert "102" in response.content.decode()


def test_changing_to_a_taken_room_is_refused_and_the_entry_stays(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    taken = _room(world, "204")
    _entry(world.russian_6b, room=taken)
    entry = _entry(world.math_5a, room=_room(world, "101"))

    response = client_for("deputy").post(
        reverse("journal:timetable_entry_room", args=[entry.pk]), {"room": taken.pk, "from_date": "2026-11-16"}, **HTMX
    )

    assert any("204" in e for e in response.context["form"].non_field_errors())
    entry.refresh_from_db()
    assert entry.valid_to is None
    assert m.TimetableEntry.objects.count() == 2


def test_cancel_brings_back_the_cell(world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]) -> None:
    _entry(world.math_5a)

    response = client_for("deputy").get(
        reverse("journal:timetable_cell", args=[world.class_5a.pk, 1, 1]), {"on": ON}, **HTMX
    )

    html = response.content.decode()
    assert "Математика" in html and "<form" not in html and "<html" not in html


def test_readers_get_no_edit_buttons(world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]) -> None:
    entry = _entry(world.math_5a)
    url = reverse("journal:timetable_class", args=[world.class_5a.pk])

    for persona in ("director", "teacher", "class_teacher"):
        html = client_for(persona).get(url, {"on": ON}).content.decode()
        assert reverse("journal:timetable_entry_end", args=[entry.pk]) not in html, persona
        assert _add_url(world.class_5a) not in html, persona
    assert _add_url(world.class_5a) in client_for("deputy").get(url, {"on": ON}).content.decode()


# --- Nobody else writes ---------------------------------------------------------------------------


def _state() -> list[tuple[Any, ...]]:
    return list(m.TimetableEntry.objects.order_by("pk").values_list()) + list(
        m.Lesson.objects.order_by("pk").values_list("pk", "date", "slot")
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("teacher", 403),  # sees 5А (teaches there), may not edit
        ("class_teacher", 403),
        ("director", 403),
        ("other_teacher", 404),
        ("foreign_teacher", 404),
        ("parent", 403),
        ("student", 403),
    ],
)
def test_only_the_deputy_and_administrator_write_the_timetable(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client], persona: str, expected: int
) -> None:
    entry = _entry(world.math_5a, room=_room(world, "101"))
    before = _state()
    client = client_for(persona)

    statuses = [
        _add(client, world, world.math_5a, slot=2).status_code,
        client.post(
            reverse("journal:timetable_entry_end", args=[entry.pk]), {"first_free_day": "2026-12-01"}
        ).status_code,
        client.post(
            reverse("journal:timetable_entry_room", args=[entry.pk]),
            {"room": _room(world, "102").pk, "from_date": "2026-12-01"},
        ).status_code,
        client.post(reverse("journal:timetable_generate_class", args=[world.class_5a.pk])).status_code,
    ]

    assert statuses == [expected] * 4
    assert _state() == before


@pytest.mark.parametrize("persona", ["teacher", "director", "parent", "student"])
def test_only_the_deputy_and_administrator_generate_the_schools_lessons(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client], persona: str
) -> None:
    _entry(world.math_5a)

    assert client_for(persona).post(reverse("journal:timetable_generate")).status_code == 403
    assert not m.Lesson.objects.exists()


def test_an_archived_years_timetable_is_read_only(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    world.year.is_archived = True
    world.year.save(update_fields=["is_archived"])

    response = _add(client_for("deputy"), world, world.math_5a)

    assert response.status_code == 403
    assert not m.TimetableEntry.objects.exists()


# --- Lessons ---------------------------------------------------------------------------------------


def test_generate_lessons_for_a_class_shows_the_counts(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    _entry(world.math_5a)
    _entry(world.russian_6b, slot=2)
    client = client_for("deputy")
    url = reverse("journal:timetable_generate_class", args=[world.class_5a.pk])

    first = client.post(url, {"on": ON}, follow=True)
    created = m.Lesson.objects.filter(course=world.math_5a).count()
    second = client.post(url, follow=True)

    assert created > 30
    assert not m.Lesson.objects.filter(course=world.russian_6b).exists()
    assert f"{created} created, 0 removed, 0 kept" in first.content.decode()
    assert f"0 created, 0 removed, {created} kept" in second.content.decode()
    assert m.Lesson.objects.count() == created


def test_generate_lessons_for_the_school(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    _entry(world.math_5a)
    _entry(world.russian_6b, slot=2)

    response = client_for("administrator").post(reverse("journal:timetable_generate"), follow=True)

    assert m.Lesson.objects.filter(course=world.russian_6b).exists()
    assert m.Lesson.objects.filter(course=world.math_5a).exists()
    assert f"{m.Lesson.objects.count()} created" in response.content.decode()


def test_generate_by_get_is_not_allowed(world: World, client_for: Callable[[str], Client]) -> None:
    assert client_for("deputy").get(reverse("journal:timetable_generate")).status_code == 405
    assert not m.Lesson.objects.exists()


# --- The frame: nothing the CSP would block ----------------------------------------------------------


def test_timetable_pages_have_no_inline_scripts_or_styles(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    from tests.test_layout import _parse

    entry = _entry(world.math_5a, room=_room(world, "204"))
    client = client_for("deputy")
    urls = [
        reverse("journal:timetable"),
        reverse("journal:timetable_regime"),
        reverse("journal:timetable_class", args=[world.class_5a.pk]),
        reverse("journal:timetable_teacher", args=[world.users["teacher"].pk]),
        reverse("journal:timetable_room", args=[entry.room.pk]),
        _add_url(world.class_5a, 1, 2),
        reverse("journal:timetable_entry_end", args=[entry.pk]),
        reverse("journal:curriculum"),
        reverse("journal:curriculum_add"),
        reverse("journal:curriculum_check"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        parser = _parse(response)
        assert all(parser.scripts), url
        assert parser.inline_script_bodies == [], url
        assert parser.inline_handlers == [], url
        assert (parser.style_elements, parser.style_attributes) == (0, []), url


# --- Bells in the admin: each school's administrator sees only their own -----------------------------


def test_admin_lists_and_offers_only_the_own_schools_bells(
    world: World, bells: m.BellSchedule, client_for: Callable[[str], Client]
) -> None:
    foreign = m.BellSchedule.objects.create(school=world.foreign_school, name="Чужая смена", shift=1)

    changelist = client_for("administrator").get("/admin/journal/bellschedule/")
    class_form = client_for("administrator").get(reverse("admin:journal_classgroup_change", args=[world.class_5a.pk]))
    foreign_page = client_for("administrator").get(reverse("admin:journal_bellschedule_change", args=[foreign.pk]))

    assert set(changelist.context["cl"].queryset) == {bells}
    assert list(class_form.context["adminform"].form.fields["bell_schedule"].queryset) == [bells]
    assert foreign_page.status_code == 302  # Django admin answers an object outside its queryset like a deleted one


def test_admin_enters_a_bell_schedule_with_its_slots_for_the_own_school(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("administrator").post(
        reverse("admin:journal_bellschedule_add"),
        {
            "name": "2 смена",
            "shift": 2,
            "slots-TOTAL_FORMS": 2,
            "slots-INITIAL_FORMS": 0,
            "slots-0-number": 1,
            "slots-0-start": "14:00",
            "slots-0-end": "14:45",
            "slots-1-number": 2,
            "slots-1-start": "14:55",
            "slots-1-end": "15:40",
        },
    )

    assert response.status_code == 302
    schedule = m.BellSchedule.objects.get(name="2 смена")
    assert schedule.school == world.school
    assert list(schedule.slots.values_list("number", flat=True)) == [1, 2]
