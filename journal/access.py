"""One access layer: get a thing for a user, or 404 outside their scope.

404, not 403, outside the scope: a 403 would tell a parent that another
child exists. Visible but not writable: 403 (PermissionDenied). Each lookup
answers "visible?" and "writable?" in one query (the object with what the
user may do to it); who may is decided in :mod:`journal.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from accounts.models import User
from core.compiled import CompiledQuery, RowModel
from journal import rules
from journal.models import (
    AcademicYear,
    ClassGroup,
    ClassGroupUserObjectPermission,
    Course,
    CourseUserObjectPermission,
    CurriculumItem,
    Lesson,
    LessonUserObjectPermission,
    Room,
    School,
    Student,
    StudyPeriod,
    Substitution,
    ThematicPlan,
    TimetableEntry,
)
from journal.selectors.lessons import substitutions_visible_to
from journal.selectors.plans import plan_for_course
from journal.selectors.schools import teachers_of_school
from journal.selectors.scope import (
    classes_visible_to,
    courses_visible_to,
    students_visible_to,
)
from journal.selectors.timetable import rooms_of_school, years_of_school


def _not_found() -> Http404:
    return Http404("No such object in your scope")


def _course_perm(user: User | int, codename: str, course_ref: str) -> Exists:
    return Exists(
        CourseUserObjectPermission.objects.filter(
            user=user, permission__codename=codename, content_object=OuterRef(course_ref)
        )
    )


def _substitutes_in(user: User | int, course_ref: str) -> Exists:
    """The user substitutes some lesson of the course (§4.4)."""
    return Exists(
        LessonUserObjectPermission.objects.filter(
            user=user, permission__codename="change_lesson", content_object__course_id=OuterRef(course_ref)
        )
    )


@dataclass(frozen=True)
class CourseAccess:
    """A course and what the user may do in it."""

    course: Course
    teaches: bool  # writes every lesson of it (an open teaching assignment)
    substitute_only: bool  # sees it only as the substitute of some of its lessons: those lessons alone
    substitutes: bool  # substitutes at least one of its lessons


_COURSE_ROW = RowModel(
    Course, "class_group__year__school", "subject", "subgroup", extra=("visible", "teaches", "substitutes")
)


def _course_rows(*, course_id: int, school_id: int, user_id: int, whole_school: bool) -> QuerySet[Course, Any]:
    if whole_school:
        visible: Exists | Q | Value = Value(True, output_field=BooleanField())
    else:
        leads = Exists(
            ClassGroupUserObjectPermission.objects.filter(
                user_id=user_id, permission__codename="lead_classgroup", content_object=OuterRef("class_group_id")
            )
        )
        visible = _course_perm(user_id, "view_course", "pk") | leads
    return (
        Course.objects.filter(pk=course_id, class_group__year__school_id=school_id)
        .annotate(
            visible=visible,
            teaches=_course_perm(user_id, "change_course", "pk"),
            substitutes=_substitutes_in(user_id, "pk"),
        )
        .filter(Q(visible=True) | Q(substitutes=True))
        .values_list(*_COURSE_ROW.columns)
    )


# Asked on every page of a course: compiled once per process (core.compiled), for the administration
# (who sees every course of the school) and for everyone else.
_COURSE_OF_SCHOOL_READER = CompiledQuery(
    lambda **values: _course_rows(**values, whole_school=True), course_id=int, school_id=int, user_id=int
)
_COURSE_OF_USER = CompiledQuery(
    lambda **values: _course_rows(**values, whole_school=False), course_id=int, school_id=int, user_id=int
)


def course_access(user: User, school: School | None, course_id: int) -> CourseAccess:
    """The course for whoever sees it (its teachers, its class teacher, the administration) or substitutes one
    of its lessons; anyone else: 404. One query."""
    if school is None:
        raise _not_found()
    query = _COURSE_OF_SCHOOL_READER if rules.reads_whole_school(user) else _COURSE_OF_USER
    rows = query.rows(course_id=course_id, school_id=school.pk, user_id=user.pk)
    if not rows:
        raise _not_found()
    course = _COURSE_ROW.build(rows[0])
    return CourseAccess(
        course=course, teaches=course.teaches, substitute_only=not course.visible, substitutes=course.substitutes
    )


def get_course_for_user(user: User, school: School | None, course_id: int, *, write: bool = False) -> Course:
    """A course the user sees (a substitute of one of its lessons does not see the course itself); ``write``:
    its teacher only (403 for other readers)."""
    access = course_access(user, school, course_id)
    if access.substitute_only:
        raise _not_found()
    if write and not access.teaches:
        raise PermissionDenied
    return access.course


def get_class_for_user(user: User, school: School | None, class_id: int, *, write: bool = False) -> ClassGroup:
    class_group = (
        classes_visible_to(user, school)
        .select_related("year", "class_teacher", "home_room")
        .filter(pk=class_id)
        .first()
    )
    if class_group is None:
        raise _not_found()
    if write and not rules.administers(user):
        raise PermissionDenied
    return class_group


def get_class_desk_for_user(user: User, school: School | None, class_id: int) -> ClassGroup:
    """A class whose desk the user opens (the overview of marks, the attendance desk, its reports): 404
    outside the user's classes, 403 for a class the user teaches in but does not lead
    (:func:`journal.rules.reads_class_reports`)."""
    class_group = get_class_for_user(user, school, class_id)
    if not rules.reads_class_reports(user, school, class_group.pk):
        raise PermissionDenied
    return class_group


def get_student_for_user(user: User, school: School | None, student_id: int, *, write: bool = False) -> Student:
    student = students_visible_to(user, school).filter(pk=student_id).first()
    if student is None:
        raise _not_found()
    if write and not rules.administers(user):
        raise PermissionDenied
    return student


@dataclass(frozen=True)
class LessonAccess:
    lesson: Lesson
    writes: bool  # :func:`journal.rules.writes_lesson`: the course's teacher or the substitute of this lesson
    sees_course: bool  # False for a substitute who reaches this lesson only, not the course's other pages


def lesson_access(user: User, school: School | None, lesson_id: int) -> LessonAccess:
    """A lesson of a course the user sees, or one they substitute (404 otherwise), and whether they write it.

    One query: the user's permission rows as EXISTS beside the lesson.
    """
    if school is None:
        raise _not_found()
    substitutes = Exists(
        LessonUserObjectPermission.objects.filter(
            user=user, permission__codename="change_lesson", content_object=OuterRef("pk")
        )
    )
    visible = Exists(courses_visible_to(user, school).filter(pk=OuterRef("course_id")))
    lesson = (
        Lesson.objects.filter(pk=lesson_id, course__class_group__year__school=school)
        .annotate(
            substitutes=substitutes, teaches=_course_perm(user, "change_course", "course_id"), sees_course=visible
        )
        .filter(Q(sees_course=True) | Q(substitutes=True))
        .select_related("course__class_group__year", "course__subject", "course__subgroup", "room", "teacher")
        .first()
    )
    if lesson is None:
        raise _not_found()
    return LessonAccess(
        lesson=lesson,
        writes=lesson.teaches or lesson.substitutes,  # type: ignore[attr-defined]
        sees_course=lesson.sees_course,  # type: ignore[attr-defined]
    )


def get_lesson_for_user(user: User, school: School | None, lesson_id: int, *, write: bool = False) -> Lesson:
    """:func:`lesson_access`'s lesson; ``write``: 403 for those who only read it."""
    access = lesson_access(user, school, lesson_id)
    if write and not access.writes:
        raise PermissionDenied
    return access.lesson


# --- Assessment: study periods ----------------------------------------------------


def get_period_for_user(school: School | None, period_id: int) -> StudyPeriod:
    """A study period of the user's school (any year), or 404."""
    if school is None:
        raise Http404("No school")
    period = StudyPeriod.objects.filter(year__school=school, pk=period_id).select_related("year__school").first()
    if period is None:
        raise Http404("No such period in your school")
    return period


# --- Substitution log -------------------------------------------------------------


def get_substitution_for_user(user: User, school: School | None, substitution_id: int) -> Substitution:
    """One log row the user may read, or 404."""
    substitution = (
        substitutions_visible_to(user, school)
        .select_related("lesson__course__class_group__year", "lesson__course__subject", "substitute", "absent_teacher")
        .filter(pk=substitution_id)
        .first()
    )
    if substitution is None:
        raise Http404("No such substitution in your scope")
    return substitution


# --- Thematic plans ---------------------------------------------------------------


@dataclass
class PlanAccess:
    """What the plan page of a course shows and allows the user."""

    course: Course
    plan: ThematicPlan | None
    teaches_course: bool
    can_edit_plan: bool
    can_edit_shared: bool

    @property
    def can_write(self) -> bool:
        """May change the rows the page shows: edit the plan, or (no plan yet) make the course's own."""
        return self.can_edit_plan or (self.plan is None and self.teaches_course)

    @property
    def can_create_own(self) -> bool:
        return self.teaches_course and (self.plan is None or self.plan.is_shared)

    @property
    def can_create_shared(self) -> bool:
        return self.plan is None and self.can_edit_shared


def get_plan_access(user: User, school: School | None, course_id: int) -> PlanAccess:
    """The course (404 outside the user's scope), the plan it follows and the user's rights on it."""
    access = course_access(user, school, course_id)
    if access.substitute_only:
        raise _not_found()
    course, teaches = access.course, access.teaches
    plan = plan_for_course(course)
    edit_shared = rules.edits_shared_plan(
        user,
        school,
        year_id=course.class_group.year_id,
        subject_id=course.subject_id,
        grade=course.class_group.grade,
    )
    # A course's own plan is its teacher's; a shared plan, rules.edits_shared_plan's.
    can_edit = plan is not None and (edit_shared if plan.is_shared else teaches)
    return PlanAccess(
        course=course, plan=plan, teaches_course=teaches, can_edit_plan=can_edit, can_edit_shared=edit_shared
    )


# --- Timetable, years and curriculum --------------------------------------------------


def get_timetable_class_for_user(
    user: User, school: School | None, class_id: int, *, write: bool = False
) -> ClassGroup:
    """A class whose timetable the user may read (the administration, its class
    teacher, its teachers); writing is for the deputy and the administrator."""
    class_group = classes_visible_to(user, school).select_related("year").filter(pk=class_id).first()
    if class_group is None:
        raise _not_found()
    if write and not rules.edits_timetable(user):
        raise PermissionDenied
    return class_group


def get_timetable_entry_for_user(
    user: User, school: School | None, entry_id: int, *, write: bool = False
) -> TimetableEntry:
    visible = classes_visible_to(user, school).values("pk")
    entry = (
        TimetableEntry.objects.filter(pk=entry_id, course__class_group__in=visible)
        .select_related("course__class_group__year__school", "course__subject", "course__subgroup", "room")
        .first()
    )
    if entry is None:
        raise _not_found()
    if write and not rules.edits_timetable(user):
        raise PermissionDenied
    return entry


def get_timetable_teacher_for_user(user: User, school: School | None, teacher_id: int) -> User:
    """A teacher reads their own week; the administration any teacher's of the school."""
    if teacher_id != user.pk and not rules.reads_whole_school(user):
        raise _not_found()
    teacher = teachers_of_school(school).filter(pk=teacher_id).first()
    if teacher is None:
        raise _not_found()
    return teacher


def get_timetable_room_for_user(user: User, school: School | None, room_id: int) -> Room:
    """Room weeks are the administration's view of the building (§4.5)."""
    if not rules.reads_whole_school(user):
        raise PermissionDenied
    room = rooms_of_school(school).filter(pk=room_id).first()
    if room is None:
        raise _not_found()
    return room


def get_year_for_user(user: User, school: School | None, year_id: int | None) -> AcademicYear | None:
    """The chosen year of the user's school (404 for another school's), else the current one."""
    years = years_of_school(school)
    if year_id is None:
        return years.filter(is_current=True).first() or years.first()
    year = years.filter(pk=year_id).first()
    if year is None:
        raise _not_found()
    return year


def get_curriculum_item_for_user(
    user: User, school: School | None, item_id: int, *, write: bool = False
) -> CurriculumItem:
    if not rules.reads_curriculum(user):
        raise PermissionDenied
    if school is None:
        raise _not_found()
    item = CurriculumItem.objects.filter(pk=item_id, year__school=school).select_related("year", "subject").first()
    if item is None:
        raise _not_found()
    if write and not rules.edits_timetable(user):
        raise PermissionDenied
    return item


def get_student_of_school(school_id: int, student_id: int) -> Student | None:
    """A student of the school of an object the caller already holds (a course or
    lesson checked by the functions above); the services check the enrolment."""
    return Student.objects.filter(pk=student_id, school_id=school_id).first()
