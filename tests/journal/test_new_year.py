"""The new-year wizard (§4.1): the preview writes nothing; confirming makes the next year once: classes
promoted, graduates out, students with their parents carried, courses from the new grade's curriculum with
their teachers, the timetable as a draft."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from journal import models as m
from journal.models.people import EnrolmentReason
from journal.services.new_year import new_year_create, new_year_plan, next_year_name
from journal.services.structure import enrolment_create, student_transfer
from tests.conftest import World
from tests.factories import YEAR_END, YEAR_START, ClassGroupFactory, StudentFactory, SubjectFactory


@pytest.fixture
def school_year(world: World) -> m.AcademicYear:
    """The test school with 9А (graduating) and 1А (a new intake), periods, a holiday, the curriculum of
    grades 6 and 7, and the timetable of 5А's mathematics."""
    year = world.year
    m.StudyPeriod.objects.create(year=year, kind="quarter", number=1, start=YEAR_START, end=datetime.date(2026, 10, 24))
    m.Holiday.objects.create(
        year=year, name="Осенние каникулы", start=datetime.date(2026, 10, 26), end=datetime.date(2026, 11, 3)
    )
    math, russian = world.math_5a.subject, world.russian_6b.subject
    physics = SubjectFactory(school=world.school, name="Физика")
    for grade, subject, hours in ((6, math, 5), (7, russian, 4), (7, physics, 2), (6, russian, 6)):
        m.CurriculumItem.objects.create(year=year, grade=grade, subject=subject, hours_per_week=Decimal(hours))
    nine = ClassGroupFactory(year=year, grade=9, letter="А")
    enrolment_create(actor=None, student=StudentFactory(school=world.school), class_group=nine, date_from=YEAR_START)
    ClassGroupFactory(year=year, grade=1, letter="А")
    m.TimetableEntry.objects.create(course=world.math_5a, weekday=1, slot=2, valid_from=YEAR_START)
    return year


def test_the_next_years_name() -> None:
    assert next_year_name("2026/2027") == "2027/2028"


def test_the_preview_shows_the_classes_and_writes_nothing(world: World, school_year: m.AcademicYear) -> None:
    before = (m.AcademicYear.objects.count(), m.ClassGroup.objects.count(), m.Enrolment.objects.count())
    plan = new_year_plan(school_year)

    assert plan.name == "2027/2028" and plan.start == datetime.date(2027, 9, 1)
    assert [(s.source.name if s.source else None, s.name, s.students) for s in plan.classes] == [
        (None, "1А", 0),
        ("1А", "2А", 0),
        ("5А", "6А", 2),
        ("6Б", "7Б", 1),
    ]
    assert [(s.name, s.students) for s in plan.graduating] == [("9А", 1)]
    # A period keeps its weekdays: 52 weeks later, inside the new year.
    (quarter,) = plan.periods
    assert quarter.end.weekday() == datetime.date(2026, 10, 24).weekday()
    assert (m.AcademicYear.objects.count(), m.ClassGroup.objects.count(), m.Enrolment.objects.count()) == before


def test_confirming_makes_the_year_once_with_students_parents_courses_and_teachers(
    world: World, school_year: m.AcademicYear, client_for: Callable[[str], Client]
) -> None:
    deputy = world.users["deputy"]
    year, made = new_year_create(actor=deputy, source=school_year)

    assert made and not year.is_current and year.name == "2027/2028"
    six_a = m.ClassGroup.objects.get(year=year, grade=6, letter="А")
    assert six_a.class_teacher == world.users["class_teacher"]
    child = m.Enrolment.objects.get(student=world.child, class_group__year=year)
    assert (child.class_group, child.date_from, child.reason_in) == (six_a, year.start, EnrolmentReason.PROMOTION)
    old = m.Enrolment.objects.get(student=world.child, class_group=world.class_5a)
    assert (old.date_to, old.reason_out) == (YEAR_END, EnrolmentReason.PROMOTION)
    graduate = m.Enrolment.objects.get(class_group__grade=9)
    assert graduate.reason_out == EnrolmentReason.GRADUATION
    assert not m.Enrolment.objects.filter(student=graduate.student, class_group__year=year).exists()
    # The courses of grade 6's curriculum; mathematics with the teacher who taught it in 5А, its timetable.
    courses = {c.subject.name: c for c in m.Course.objects.filter(class_group=six_a).select_related("subject")}
    assert set(courses) == {"Математика", "Русский язык"}
    assert list(courses["Математика"].assignments.values_list("teacher", flat=True)) == [world.users["teacher"].pk]
    assert not courses["Русский язык"].assignments.exists()  # nobody taught it in 5А: the deputy appoints
    assert list(courses["Математика"].timetable.values_list("weekday", "slot", "valid_from")) == [(1, 2, year.start)]
    assert not m.Lesson.objects.filter(course__class_group__year=year).exists()  # the timetable is a draft
    # The parent still reads the child (the link is the student's, not the class's).
    assert client_for("parent").get(reverse("diary:week", args=[world.child.pk])).status_code == 200

    counts = (m.ClassGroup.objects.count(), m.Course.objects.count(), m.Enrolment.objects.count())
    again, made_again = new_year_create(actor=deputy, source=school_year)
    assert (again, made_again) == (year, False)
    assert (m.ClassGroup.objects.count(), m.Course.objects.count(), m.Enrolment.objects.count()) == counts


def test_a_transfer_after_the_wizard_moves_the_current_enrolment_and_keeps_next_years(
    world: World, school_year: m.AcademicYear
) -> None:
    year, _made = new_year_create(actor=world.users["deputy"], source=school_year)
    on = datetime.date(2027, 2, 1)
    moved = student_transfer(actor=None, student=world.child, to_class=world.class_6b, on=on)

    assert (moved.class_group, moved.date_from, moved.date_to) == (world.class_6b, on, YEAR_END)
    rows = list(
        m.Enrolment.objects.filter(student=world.child)
        .order_by("date_from")
        .values_list("class_group__year", "date_to")
    )
    assert rows == [(school_year.pk, on - datetime.timedelta(days=1)), (school_year.pk, YEAR_END), (year.pk, None)]


def test_the_wizard_page_previews_and_makes_the_year_on_confirmation(
    world: World, school_year: m.AcademicYear, client_for: Callable[[str], Client]
) -> None:
    client = client_for("deputy")
    page = client.get(reverse("journal:new_year")).content.decode()
    assert "5А → <strong>6А</strong>" in page and 'data-testid="new-year-confirm"' in page

    assert client.post(reverse("journal:new_year"), {}).status_code == 400  # not confirmed
    assert not m.AcademicYear.objects.filter(name="2027/2028").exists()

    response = client.post(reverse("journal:new_year"), {"confirm": "2027/2028"})
    assert response.status_code == 302
    assert m.AcademicYear.objects.filter(name="2027/2028").count() == 1
    assert 'data-testid="new-year-exists"' in client.get(reverse("journal:new_year")).content.decode()


def test_the_groups_carry_their_members_of_the_last_day(world: World, school_year: m.AcademicYear) -> None:
    from journal.services.subgroups import subgroup_move

    english = SubjectFactory(school=world.school, name="Английский язык")
    m.CurriculumItem.objects.create(year=school_year, grade=6, subject=english, hours_per_week=Decimal(3))
    one = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="Группа 1")
    two = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="Группа 2")
    one.members.add(world.child, world.other_child)
    m.Enrolment.objects.filter(student=world.other_child).update(class_group=world.class_5a)
    subgroup_move(actor=None, student=world.other_child, subgroup=two, on=datetime.date(2027, 3, 1))

    year, _made = new_year_create(actor=world.users["deputy"], source=school_year)
    groups = {
        g.name: sorted(g.members.values_list("pk", flat=True))
        for g in m.Subgroup.objects.filter(class_group__year=year, class_group__grade=6, class_group__letter="А")
    }
    assert groups == {"Группа 1": [world.child.pk], "Группа 2": [world.other_child.pk]}


def test_the_thematic_plans_are_copied_once_to_the_same_grade(world: World, school_year: m.AcademicYear) -> None:
    from journal.services.plans import ItemData, plan_create, plan_replace_items, plans_copy_year

    math = world.math_5a.subject
    six_a = ClassGroupFactory(year=school_year, grade=6, letter="А")
    own = plan_replace_items(
        actor=None,
        course=m.Course.objects.create(class_group=six_a, subject=math),
        rows=[ItemData(topic="Делимость чисел", hours=2), ItemData(topic="Дроби", hours=3)],
    )
    shared = plan_create(actor=None, year=school_year, grade=7, subject=world.russian_6b.subject)
    plan_replace_items(actor=None, plan=shared, rows=[ItemData(topic="Причастие", hours=4)])
    year, _made = new_year_create(actor=world.users["deputy"], source=school_year)

    copied = plans_copy_year(actor=None, source=school_year, target=year)
    assert (copied.made, copied.kept) == (2, 0)
    new_math = m.Course.objects.get(class_group__year=year, class_group__grade=6, class_group__letter="А", subject=math)
    assert list(new_math.own_plan.items.order_by("order").values_list("topic", "hours")) == [
        ("Делимость чисел", 2),
        ("Дроби", 3),
    ]
    assert own.course.class_group.year == school_year  # last year's plan stays where it was
    new_shared = m.ThematicPlan.objects.get(year=year, grade=7, course__isnull=True)
    assert list(new_shared.items.values_list("topic", flat=True)) == ["Причастие"]

    again = plans_copy_year(actor=None, source=school_year, target=year)
    assert (again.made, again.kept) == (0, 2)
    assert m.PlanItem.objects.filter(plan__year=year).count() == 3


def test_the_new_year_becomes_current_after_the_teaching_and_the_old_one_is_read_only(
    world: World, school_year: m.AcademicYear, client_for: Callable[[str], Client]
) -> None:
    from django.core.exceptions import ValidationError

    from journal.services.marks import mark_set
    from journal.services.new_year import year_make_current

    year, _made = new_year_create(actor=world.users["deputy"], source=school_year)
    m.StudyPeriod.objects.create(
        year=school_year, kind="quarter", number=4, start=datetime.date(2027, 4, 1), end=datetime.date(2027, 5, 28)
    )
    with pytest.raises(ValidationError, match="идёт до 28.05.2027"):
        year_make_current(actor=world.users["deputy"], year=year, today=datetime.date(2027, 5, 28))
    year_make_current(actor=world.users["deputy"], year=year, today=datetime.date(2027, 6, 1))
    school_year.refresh_from_db()
    year.refresh_from_db()
    assert year.is_current and not school_year.is_current and school_year.is_archived

    lesson = m.Lesson.objects.create(course=world.math_5a, date=datetime.date(2026, 10, 5), slot=1, status="held")
    with pytest.raises(ValidationError, match="в архиве"):
        mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="5")

    # The class list opens on the new year; last year's classes are a choice away, read-only, with their
    # students of the year's end.
    client = client_for("deputy")
    page = client.get(reverse("journal:class_list")).content.decode()
    assert f"Классы · {year.name}" in page and "6А" in page
    page = client.get(reverse("journal:class_list"), {"year": school_year.pk}).content.decode()
    assert 'data-testid="year-archived"' in page and "5А" in page
    page = client.get(reverse("journal:class_detail", args=[world.class_5a.pk])).content.decode()
    assert world.child.full_name in page
    assert client.get(reverse("journal:class_list"), {"year": world.foreign_class.year.pk}).status_code == 404


def test_the_wizard_page_copies_the_plans_and_switches_the_year(
    world: World, school_year: m.AcademicYear, client_for: Callable[[str], Client]
) -> None:
    client = client_for("deputy")
    client.post(reverse("journal:new_year"), {"confirm": "2027/2028"})
    page = client.get(reverse("journal:new_year")).content.decode()
    assert 'data-testid="new-year-copy-plans"' in page and 'data-testid="new-year-make-current"' in page

    response = client.post(reverse("journal:new_year"), {"action": "copy_plans"}, follow=True)
    assert "Тематические планы скопированы в 2027/2028: 0" in response.content.decode()
    assert client.post(reverse("journal:new_year"), {"action": "make_current"}).status_code == 400  # unticked
    assert m.AcademicYear.objects.get(is_current=True, school=world.school) == school_year

    response = client.post(reverse("journal:new_year"), {"action": "make_current", "confirm": "2027/2028"})
    assert response.status_code == 302 and response["Location"] == reverse("journal:class_list")
    assert m.AcademicYear.objects.get(is_current=True, school=world.school).name == "2027/2028"
