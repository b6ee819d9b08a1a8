"""The diary's access layer: one student's diary, a homework file of it, an event, a class's acknowledgements.

Diary pages are the parents' and students' (§3.10, §5.3). Staff without such a role get 403 whatever
the id: the refusal depends on the role alone, as the journal refuses parents and students (§3.12), and
says nothing about any child. A parent or a student asking for a child who is not theirs gets 404 —
a 403 would tell them that the other child exists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User
from diary.models import Event
from diary.selectors.children import diary_students_for, readable_student_ids
from diary.selectors.common import student_course_filter, student_enrolments
from diary.selectors.events import events_visible_to
from journal import rules
from journal.models import ClassGroup, HomeworkFile, Lesson, School, Student
from journal.selectors.scope import classes_visible_to


def get_diary_student_for_user(user: User, school: School | None, student_id: int) -> Student:
    """A student whose diary ``user`` reads; 403 for users who read no diary, 404 for any other child."""
    if not rules.reads_diary(user):
        raise PermissionDenied
    student = diary_students_for(user, school).select_related("school").filter(pk=student_id).first()
    if student is None:
        raise Http404("No such student in your diary")
    return student


def get_diary_student_with_children(
    user: User, school: School | None, student_id: int
) -> tuple[Student, list[Student]]:
    """As :func:`get_diary_student_for_user`, with all the user's diary students (the child switcher), in one query."""
    if not rules.reads_diary(user):
        raise PermissionDenied
    children = []
    if school is not None:
        # The school is checked here, not in SQL: the user's few permission rows are the whole result
        # either way, and with the school in the WHERE a planner without statistics starts from the
        # school's students (its index) and probes the permissions once per student.
        rows = Student.objects.filter(pk__in=readable_student_ids(user)).order_by("last_name", "first_name", "pk")
        children = [child for child in rows if child.school_id == school.pk]
        for child in children:
            child.school = school  # the request's school: no JOIN for the same row
    student = next((child for child in children if child.pk == student_id), None)
    if student is None:
        raise Http404("No such student in your diary")
    return student, children


def get_diary_homework_file_for_user(user: User, school: School | None, student_id: int, file_id: int) -> HomeworkFile:
    """A file of the homework of one of the student's own lessons (enrolled that day, subgroup member), or 404."""
    student = get_diary_student_for_user(user, school, student_id)
    row = (
        HomeworkFile.objects.filter(pk=file_id)
        .select_related("homework__lesson__course")
        .filter(homework__lesson__course__class_group__year__school=school)
        .first()
    )
    if row is None:
        raise Http404("No such file")
    lesson = row.homework.lesson
    enrolled = [
        e
        for e in student_enrolments(student)
        if e.class_group_id == lesson.course.class_group_id
        and e.date_from <= lesson.date
        and (e.date_to is None or lesson.date <= e.date_to)
    ]
    if not enrolled:
        raise Http404("No such file")
    own = Lesson.objects.filter(student_course_filter(student, {lesson.course.class_group_id}), pk=lesson.pk)
    if not own.exists():
        raise Http404("No such file")
    return row


def get_event_for_user(user: User, school: School | None, event_id: int, *, write: bool = False) -> Event:
    """An event the user sees (404 otherwise); changing it needs the right to manage its class or school (403)."""
    event = events_visible_to(user, school).select_related("class_group__year").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event")
    if write and not rules.manages_events_of(user, school, event.class_group):
        raise PermissionDenied
    return event


def get_acknowledgement_class_for_user(user: User, school: School | None, class_id: int) -> ClassGroup:
    """The class teacher's class or, for the administration, any class of the school.

    Parents and students: 403 (a staff page). A teacher who sees the class but does not lead it: 403;
    a class outside the user's classes: 404.
    """
    if not rules.is_staff(user):
        raise PermissionDenied
    class_group = classes_visible_to(user, school).select_related("year", "class_teacher").filter(pk=class_id).first()
    if class_group is None:
        raise Http404("No such class in your scope")
    if not rules.manages_class_documents(user, school, class_group):
        raise PermissionDenied
    return class_group
