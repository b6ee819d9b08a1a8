"""factory_boy factories for the school's structure and people."""

from __future__ import annotations

import datetime

import factory

from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_set_roles
from journal import models as m

YEAR_START = datetime.date(2026, 9, 1)
YEAR_END = datetime.date(2027, 5, 31)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Iterator(["Иванова", "Петров", "Смирнова", "Кузнецов", "Попова"])
    first_name = factory.Iterator(["Анна", "Сергей", "Мария", "Олег", "Ирина"])
    middle_name = factory.Iterator(["Петровна", "Иванович", "Сергеевна", "Олегович", "Андреевна"])
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    # ``UserFactory(school=s, roles=(...))``: a member of the school holding the roles there (a role is held
    # in a school). The school is read first, so the roles' hook finds it.
    @factory.post_generation
    def school(self, create: bool, extracted: m.School | None, **kwargs: object) -> None:
        self._factory_school = extracted

    @factory.post_generation
    def roles(self, create: bool, extracted: tuple[Role, ...] | None, **kwargs: object) -> None:
        if create and extracted:
            school = self._factory_school
            if school is None:
                raise ValueError("A role is held in a school: UserFactory(school=..., roles=...)")
            user_set_roles(user=self, school=school, roles=tuple(extracted))
        elif create and self._factory_school is not None:
            self.memberships.get_or_create(school=self._factory_school)
        if create:
            self.save()


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.School

    name = factory.Sequence(lambda n: f"Школа № {n + 1}")
    short_name = factory.LazyAttribute(lambda o: o.name)


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/2027"
    start = YEAR_START
    end = YEAR_END
    is_current = True


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Subject
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Предмет {n}")


class ClassGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ClassGroup

    year = factory.SubFactory(AcademicYearFactory)
    grade = 5
    letter = factory.Iterator(["А", "Б", "В", "Г"])


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Course

    class_group = factory.SubFactory(ClassGroupFactory)
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..class_group.year.school"))


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Student

    school = factory.SubFactory(SchoolFactory)
    last_name = factory.Iterator(["Соколов", "Морозова", "Волков", "Лебедева", "Новиков"])
    first_name = factory.Iterator(["Артём", "Софья", "Максим", "Алиса", "Иван"])
    middle_name = "Андреевич"


def quarter_around_today(year: m.AcademicYear, before: int = 30, after: int = 10) -> m.StudyPeriod:
    """The second quarter of ``year`` dated around today (the clock's day), so the pages open on it."""
    from django.utils import timezone

    today = timezone.localdate()
    return m.StudyPeriod.objects.create(
        year=year,
        kind=m.PeriodKind.QUARTER,
        number=2,
        start=today - datetime.timedelta(days=before),
        end=today + datetime.timedelta(days=after),
    )
