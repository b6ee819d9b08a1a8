"""One access layer: get a thing for a user, or 404 outside their scope.

404, not 403, outside the scope: a 403 would tell a parent that another
child exists. Visible but not writable: 403 (PermissionDenied).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import SCHOOL_WIDE_READERS, Role
from journal.models import (
    AcademicYear,
    ClassGroup,
    Course,
    CurriculumItem,
    Lesson,
    Room,
    School,
    Student,
    StudyPeriod,
    Substitution,
    ThematicPlan,
    TimetableEntry,
)
from journal.selectors.lessons import substitutions_visible_to
from journal.selectors.plans import can_edit_shared_plan, plan_for_course
from journal.selectors.scope import (
    classes_visible_to,
    courses_taught_by,
    courses_visible_to,
    students_visible_to,
)
from journal.selectors.timetable import (
    can_edit_curriculum,
    can_edit_timetable,
    can_read_curriculum,
    rooms_of_school,
    teachers_of_school,
    years_of_school,
)


def _not_found() -> Http404:
    return Http404("No such object in your scope")


def get_course_for_user(user: User, school: School | None, course_id: int, *, write: bool = False) -> Course:
    course = (
        courses_visible_to(user, school)
        .select_related("class_group__year__school", "subject", "subgroup")
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise _not_found()
    if write and not courses_taught_by(user, school).filter(pk=course.pk).exists():
        raise PermissionDenied
    return course


def get_course_for_journal(user: User, school: School | None, course_id: int) -> tuple[Course, bool]:
    """A course for its journal page: ``(course, substitute_only)``.

    Whoever sees the course reads its page; a teacher who only substitutes some of
    its lessons (§4.4) gets the course with ``substitute_only`` set and sees just
    those lessons. Anyone else: 404.
    """
    try:
        return get_course_for_user(user, school, course_id), False
    except Http404:
        if not lessons_substituted_by(user, school).filter(course_id=course_id).exists():
            raise
    return Course.objects.select_related("class_group__year__school", "subject", "subgroup").get(pk=course_id), True


def get_class_for_user(user: User, school: School | None, class_id: int, *, write: bool = False) -> ClassGroup:
    class_group = (
        classes_visible_to(user, school)
        .select_related("year", "class_teacher", "home_room")
        .filter(pk=class_id)
        .first()
    )
    if class_group is None:
        raise _not_found()
    if write and not user.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied
    return class_group


def get_student_for_user(user: User, school: School | None, student_id: int, *, write: bool = False) -> Student:
    student = students_visible_to(user, school).filter(pk=student_id).first()
    if student is None:
        raise _not_found()
    if write and not user.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied
    return student


def lessons_substituted_by(user: User, school: School | None) -> QuerySet[Lesson]:
    """Lessons the user may fill as a substitute (§4.4)."""
    if school is None:
        return Lesson.objects.none()
    return Lesson.objects.filter(
        course__class_group__year__school=school,
        lessonuserobjectpermission__user=user,
        lessonuserobjectpermission__permission__codename="change_lesson",
    )


def get_lesson_for_user(user: User, school: School | None, lesson_id: int, *, write: bool = False) -> Lesson:
    """A lesson of a visible course, or one the user substitutes.

    Writing (topic, status, later marks) needs the course's teacher or the
    substitute of exactly this lesson; everyone else who sees it reads only.
    """
    visible = courses_visible_to(user, school).values("pk")
    lesson = (
        Lesson.objects.filter(Q(course__in=visible) | Q(pk__in=lessons_substituted_by(user, school).values("pk")))
        .select_related("course__class_group__year", "course__subject", "course__subgroup", "room", "teacher")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise _not_found()
    if write and not can_write_lesson(user, school, lesson):
        raise PermissionDenied
    return lesson


def can_write_lesson(user: User, school: School | None, lesson: Lesson) -> bool:
    if courses_taught_by(user, school).filter(pk=lesson.course_id).exists():
        return True
    return lessons_substituted_by(user, school).filter(pk=lesson.pk).exists()


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
    course = get_course_for_user(user, school, course_id)
    plan = plan_for_course(course)
    teaches = courses_taught_by(user, school).filter(pk=course.pk).exists()
    edit_shared = can_edit_shared_plan(
        user,
        school,
        year_id=course.class_group.year_id,
        subject_id=course.subject_id,
        grade=course.class_group.grade,
    )
    if plan is None:
        can_edit = False
    elif plan.is_shared:
        can_edit = edit_shared
    else:
        can_edit = teaches
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
    if write and not can_edit_timetable(user):
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
    if write and not can_edit_timetable(user):
        raise PermissionDenied
    return entry


def get_timetable_teacher_for_user(user: User, school: School | None, teacher_id: int) -> User:
    """A teacher reads their own week; the administration any teacher's of the school."""
    if teacher_id != user.pk and not user.has_role(*SCHOOL_WIDE_READERS):
        raise _not_found()
    teacher = teachers_of_school(school).filter(pk=teacher_id).first()
    if teacher is None:
        raise _not_found()
    return teacher


def get_timetable_room_for_user(user: User, school: School | None, room_id: int) -> Room:
    """Room weeks are the administration's view of the building (§4.5)."""
    if not user.has_role(*SCHOOL_WIDE_READERS):
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
    if not can_read_curriculum(user):
        raise PermissionDenied
    if school is None:
        raise _not_found()
    item = CurriculumItem.objects.filter(pk=item_id, year__school=school).select_related("year", "subject").first()
    if item is None:
        raise _not_found()
    if write and not can_edit_curriculum(user):
        raise PermissionDenied
    return item


def get_student_of_school(school_id: int, student_id: int) -> Student | None:
    """A student of the school of an object the caller already holds (a course or
    lesson checked by the functions above); the services check the enrolment."""
    return Student.objects.filter(pk=student_id, school_id=school_id).first()
