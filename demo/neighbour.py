"""A neighbouring school on the same server (a municipality's): «Школа № 7», where the demo's administrator
also teaches informatics in 10А. A role is held in the school it was given in (§3.2): in «Гимназия № 1» he is
the administrator, in «Школа № 7» a teacher and nothing more; the user menu switches between the two.

The school is the demo's: built with it, kept with it, deleted with it (:func:`wipe_neighbour`)."""

from __future__ import annotations

import datetime
import random

from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_set_roles
from demo.names import LAST_NAMES, MEN, random_child
from journal.models import (
    AcademicYear,
    ClassGroup,
    Course,
    Enrolment,
    GradePeriodScheme,
    School,
    Student,
    Subject,
)
from journal.models.structure import PeriodKind
from journal.services.structure import enrolment_create, study_period_create, teaching_assignment_create

NEIGHBOUR_NAME = "Школа № 7"
NEIGHBOUR_ADDRESS = "123460, г. Москва, ул. Садовая, д. 7"
STUDENTS = 12


def build_neighbour(*, year: AcademicYear, teacher: User, rng: random.Random) -> School:
    """«Школа № 7» with this year's calendar, its 10А of twelve and the informatics ``teacher`` teaches there."""
    school = School.objects.create(
        name=NEIGHBOUR_NAME, short_name=NEIGHBOUR_NAME, address=NEIGHBOUR_ADDRESS, director_name="", week_days=5
    )
    own = AcademicYear.objects.create(school=school, name=year.name, start=year.start, end=year.end, is_current=True)
    for period in year.periods.filter(kind=PeriodKind.HALF_YEAR).order_by("number"):
        study_period_create(
            year=own,
            kind=period.kind,
            number=period.number,
            start=period.start,
            end=period.end,
            final_marks_deadline=period.final_marks_deadline,
        )
    GradePeriodScheme.objects.create(year=own, grade=10, kind=PeriodKind.HALF_YEAR)
    class_10a = ClassGroup.objects.create(year=own, grade=10, letter="А")
    informatics = Subject.objects.create(school=school, name="Информатика")
    course = Course.objects.create(class_group=class_10a, subject=informatics)
    for _ in range(STUDENTS):
        family, father = rng.choice(LAST_NAMES), rng.choice(list(MEN))
        person = random_child(rng, family, father, rng.random() < 0.5)
        student = Student.objects.create(
            school=school,
            last_name=person.last_name,
            first_name=person.first_name,
            middle_name=person.middle_name,
            birth_date=datetime.date(year.start.year - 16, rng.randint(1, 12), rng.randint(1, 28)),
        )
        enrolment_create(actor=None, student=student, class_group=class_10a, date_from=year.start)
    teaching_assignment_create(actor=None, course=course, teacher=teacher, date_from=year.start)
    user_set_roles(user=teacher, school=school, roles={Role.TEACHER})
    return school


def wipe_neighbour() -> None:
    """Delete «Школа № 7» with its class, course and students (its teacher is the demo school's)."""
    school = School.objects.filter(name=NEIGHBOUR_NAME).first()
    if school is None:
        return
    Course.objects.filter(class_group__year__school=school).delete()
    Enrolment.objects.filter(class_group__year__school=school).delete()
    school.delete()
