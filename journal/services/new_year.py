"""The next academic year made from this one (§4.1): previewed first, created in one transaction once
confirmed, and never twice.

What is carried: the year's periods and holidays (shifted 52 weeks, so a period keeps its weekdays), the
grades' period schemes, the curriculum; every class promoted a grade with its letter, class teacher, home
room and bells (grades 9 and 11 graduate; the first and tenth grades start as new, empty classes with this
year's letters); the students in a class on the year's last day, with their parents and logins (those hang
on the student); the foreign-language subgroups with their members on the year's last day; the courses of
the new grade's curriculum, with the teacher who taught the subject in the class; the timetable entries of the subjects
the class keeps. The timetable is a draft: no lesson is generated until the deputy reviews it and
generates the lessons. Thematic plans are copied course by course on the plan page.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import (
    AcademicYear,
    ClassGroup,
    Course,
    CurriculumItem,
    Enrolment,
    GradePeriodScheme,
    Holiday,
    PeriodKind,
    StudyPeriod,
    Subgroup,
    SubgroupMembership,
    TeachingAssignment,
    TimetableEntry,
)
from journal.models.people import EnrolmentReason
from journal.selectors.membership import enrolled_on, member_on
from journal.services.structure import (
    class_teacher_set,
    enrolment_create,
    enrolment_end,
    study_period_create,
    teaching_assignment_create,
)

GRADUATING = (9, 11)
NEW_INTAKE = (1, 10)  # grades whose classes are formed anew each year
SHIFT = datetime.timedelta(weeks=52)


def next_year_name(name: str) -> str:
    """«2026/2027» → «2027/2028»."""
    years = re.findall(r"\d{4}", name)
    if len(years) != 2:
        raise ValidationError(_("The year's name «%(name)s» is not like 2026/2027.") % {"name": name})
    return f"{int(years[0]) + 1}/{int(years[1]) + 1}"


@dataclass(frozen=True)
class ClassStep:
    """A class of the new year and where its students come from (``source`` None: a new, empty class)."""

    grade: int
    letter: str
    source: ClassGroup | None
    students: int

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


@dataclass(frozen=True)
class PeriodSpec:
    kind: str
    number: int
    start: datetime.date
    end: datetime.date
    deadline: datetime.date | None

    @property
    def label(self) -> str:
        return f"{self.number} {PeriodKind(self.kind).label}"


@dataclass
class NewYearPlan:
    source: AcademicYear
    name: str
    start: datetime.date
    end: datetime.date
    periods: list[PeriodSpec] = field(default_factory=list)
    holidays: list[tuple[str, datetime.date, datetime.date]] = field(default_factory=list)
    classes: list[ClassStep] = field(default_factory=list)
    graduating: list[ClassStep] = field(default_factory=list)
    curriculum: int = 0
    existing: AcademicYear | None = None  # made already: confirming changes nothing

    @property
    def students_carried(self) -> int:
        return sum(step.students for step in self.classes)

    @property
    def students_graduating(self) -> int:
        return sum(step.students for step in self.graduating)


def _clamp(day: datetime.date, start: datetime.date, end: datetime.date) -> datetime.date:
    return min(max(day, start), end)


def _in_class_at_end(source: AcademicYear) -> dict[int, list[Enrolment]]:
    """Class id → the enrolments of the students in it on the year's last day."""
    found: dict[int, list[Enrolment]] = {}
    rows = Enrolment.objects.filter(enrolled_on(source.end), class_group__year=source)
    for enrolment in rows.select_related("student"):
        found.setdefault(enrolment.class_group_id, []).append(enrolment)
    return found


def new_year_plan(source: AcademicYear) -> NewYearPlan:
    """What :func:`new_year_create` would make from ``source`` (nothing is written)."""
    name = next_year_name(source.name)
    start = source.start.replace(year=source.start.year + 1)
    end = source.end.replace(year=source.end.year + 1)
    plan = NewYearPlan(source=source, name=name, start=start, end=end)
    plan.existing = AcademicYear.objects.filter(school=source.school, name=name).first()
    for period in StudyPeriod.objects.filter(year=source).order_by("start", "kind"):
        deadline = period.final_marks_deadline + SHIFT if period.final_marks_deadline else None
        plan.periods.append(
            PeriodSpec(
                period.kind,
                period.number,
                _clamp(period.start + SHIFT, start, end),
                _clamp(period.end + SHIFT, start, end),
                deadline,
            )
        )
    for holiday in Holiday.objects.filter(year=source).order_by("start"):
        plan.holidays.append((holiday.name, holiday.start + SHIFT, holiday.end + SHIFT))
    plan.curriculum = CurriculumItem.objects.filter(year=source).count()
    at_end = _in_class_at_end(source)
    classes = list(ClassGroup.objects.filter(year=source).order_by("grade", "letter"))
    for class_group in classes:
        students = len(at_end.get(class_group.pk, []))
        if class_group.grade in GRADUATING:
            plan.graduating.append(ClassStep(class_group.grade, class_group.letter, class_group, students))
        elif class_group.grade < 11:
            plan.classes.append(ClassStep(class_group.grade + 1, class_group.letter, class_group, students))
        if class_group.grade in NEW_INTAKE:
            plan.classes.append(ClassStep(class_group.grade, class_group.letter, None, 0))
    plan.classes.sort(key=lambda step: (step.grade, step.letter))
    return plan


@transaction.atomic
def new_year_create(*, actor: User, source: AcademicYear) -> tuple[AcademicYear, bool]:
    """Make the next year as :func:`new_year_plan` shows it; (the year, whether it was made now). A year of
    that name already there is returned as it is: running the wizard twice changes nothing."""
    AcademicYear.objects.select_for_update().get(pk=source.pk)
    plan = new_year_plan(source)
    if plan.existing is not None:
        return plan.existing, False
    year = AcademicYear(school=source.school, name=plan.name, start=plan.start, end=plan.end, is_current=False)
    year.full_clean()
    year.save()
    for spec in plan.periods:
        study_period_create(
            year=year,
            kind=spec.kind,
            number=spec.number,
            start=spec.start,
            end=spec.end,
            final_marks_deadline=spec.deadline,
        )
    Holiday.objects.bulk_create(Holiday(year=year, name=n, start=s, end=e) for n, s, e in plan.holidays)
    GradePeriodScheme.objects.bulk_create(
        GradePeriodScheme(year=year, grade=scheme.grade, kind=scheme.kind)
        for scheme in GradePeriodScheme.objects.filter(year=source)
    )
    curriculum = list(CurriculumItem.objects.filter(year=source).select_related("subject"))
    CurriculumItem.objects.bulk_create(
        CurriculumItem(
            year=year,
            grade=item.grade,
            subject=item.subject,
            hours_per_week=item.hours_per_week,
            assessment=item.assessment,
        )
        for item in curriculum
    )
    by_grade: dict[int, list[CurriculumItem]] = {}
    for item in curriculum:
        by_grade.setdefault(item.grade, []).append(item)
    at_end = _in_class_at_end(source)
    for step in plan.graduating:
        assert step.source is not None  # noqa: S101 - a graduating class is this year's
        for enrolment in at_end.get(step.source.pk, []):
            _leave(actor, enrolment, source.end, EnrolmentReason.GRADUATION)
    for step in plan.classes:
        _carry_class(actor, step, year, by_grade.get(step.grade, []), at_end, source)
    return year, True


def _leave(actor: User, enrolment: Enrolment, last_day: datetime.date, reason: str) -> None:
    if enrolment.date_to is None:
        enrolment_end(actor=actor, enrolment=enrolment, date_to=last_day, reason=reason)


def _carry_class(
    actor: User,
    step: ClassStep,
    year: AcademicYear,
    curriculum: list[CurriculumItem],
    at_end: dict[int, list[Enrolment]],
    source_year: AcademicYear,
) -> None:
    source = step.source
    target = ClassGroup(
        year=year,
        grade=step.grade,
        letter=step.letter,
        home_room=source.home_room if source else None,
        bell_schedule=source.bell_schedule if source else None,
    )
    target.full_clean()
    target.save()
    if source is None:
        _courses(actor, target, curriculum, {}, {}, year)
        return
    if source.class_teacher is not None:
        class_teacher_set(actor=actor, class_group=target, teacher=source.class_teacher)
    carried = []
    for enrolment in at_end.get(source.pk, []):
        _leave(actor, enrolment, source_year.end, EnrolmentReason.PROMOTION)
        enrolment_create(
            actor=actor,
            student=enrolment.student,
            class_group=target,
            date_from=year.start,
            reason=EnrolmentReason.PROMOTION,
        )
        carried.append(enrolment.student_id)
    subjects = {item.subject_id for item in curriculum}
    subgroups: dict[tuple[int, str], Subgroup] = {}
    for old in Subgroup.objects.filter(class_group=source, subject_id__in=subjects):
        new = Subgroup.objects.create(class_group=target, subject_id=old.subject_id, name=old.name)
        members = SubgroupMembership.objects.filter(member_on(source_year.end), subgroup=old, student_id__in=carried)
        SubgroupMembership.objects.bulk_create(
            SubgroupMembership(subgroup=new, student_id=student_id)
            for student_id in members.values_list("student_id", flat=True).distinct()
        )
        subgroups[(old.subject_id, old.name)] = new
    # Who taught the subject in the class at the year's end, and when: the new course's teacher and timetable.
    teachers: dict[tuple[int, str], int] = {}
    for assignment in (
        TeachingAssignment.objects.filter(course__class_group=source)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=source_year.end))
        .select_related("course__subgroup")
    ):
        course = assignment.course
        teachers[(course.subject_id, course.subgroup.name if course.subgroup else "")] = assignment.teacher_id
    new_courses = _courses(actor, target, curriculum, subgroups, teachers, year)
    entries = (
        TimetableEntry.objects.filter(course__class_group=source, valid_from__lte=source_year.end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=source_year.end))
        .select_related("course__subgroup")
    )
    TimetableEntry.objects.bulk_create(
        TimetableEntry(
            course=new_courses[key], weekday=entry.weekday, slot=entry.slot, room=entry.room, valid_from=year.start
        )
        for entry in entries
        if (key := (entry.course.subject_id, entry.course.subgroup.name if entry.course.subgroup else ""))
        in new_courses
    )


def _courses(
    actor: User,
    target: ClassGroup,
    curriculum: list[CurriculumItem],
    subgroups: dict[tuple[int, str], Subgroup],
    teachers: dict[tuple[int, str], int],
    year: AcademicYear,
) -> dict[tuple[int, str], Course]:
    """The class's courses from its grade's curriculum (a course per subgroup where the subject is split),
    each with the teacher who taught it in the class (key: subject, subgroup name)."""
    made: dict[tuple[int, str], Course] = {}
    for item in curriculum:
        split: list[Subgroup | None] = [
            group for (subject_id, _name), group in subgroups.items() if subject_id == item.subject_id
        ]
        for group in split or [None]:
            key = (item.subject_id, group.name if group else "")
            course = Course.objects.create(class_group=target, subject=item.subject, subgroup=group)
            made[key] = course
            teacher_id = teachers.get(key)
            if teacher_id is not None:
                teacher = User.objects.get(pk=teacher_id)
                teaching_assignment_create(actor=actor, course=course, teacher=teacher, date_from=year.start)
    return made


def teaching_ends(year: AcademicYear) -> datetime.date:
    """The last day of the year's study periods (the year itself if it has none): after it, the next year
    may become the current one."""
    last = StudyPeriod.objects.filter(year=year).order_by("-end").values_list("end", flat=True).first()
    return last or year.end


@transaction.atomic
def year_make_current(*, actor: User, year: AcademicYear, today: datetime.date) -> AcademicYear:
    """``year`` becomes the school's current year and the one it follows is archived (read-only for all,
    readable for all). Only once the current year's teaching is over; a year current already is left as
    it is."""
    year = AcademicYear.objects.select_for_update().get(pk=year.pk)
    if year.is_current:
        return year
    if year.is_archived:
        raise ValidationError(_("The year %(year)s is archived: it cannot become current.") % {"year": year})
    current = AcademicYear.objects.select_for_update().filter(school=year.school, is_current=True).first()
    if current is not None:
        if current.start >= year.start:
            raise ValidationError(
                _("The year %(year)s is not after the current %(current)s.") % {"year": year, "current": current}
            )
        ends = teaching_ends(current)
        if today <= ends:
            raise ValidationError(
                _("The year %(current)s is taught until %(day)s: %(year)s becomes current after that.")
                % {"current": current, "day": ends.strftime("%d.%m.%Y"), "year": year}
            )
        current.is_current = False
        current.is_archived = True
        current.save(update_fields=["is_current", "is_archived"])
    year.is_current = True
    year.save(update_fields=["is_current"])
    return year
