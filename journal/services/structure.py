"""Changes to the school's structure and to who may see what.

Each function validates, writes in one transaction and keeps the guardian
object permissions in step with the domain row it changes.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import (
    AcademicYear,
    ClassGroup,
    ConsentForm,
    ConsentRecord,
    Course,
    Enrolment,
    ParentLink,
    School,
    SchoolMembership,
    Student,
    StudyPeriod,
    TeachingAssignment,
)
from journal.models.people import EnrolmentReason
from journal.permissions import sync_user_object
from journal.selectors.membership import enrolment_holding
from journal.services.subgroups import memberships_end, memberships_follow


def membership_ensure(*, user: User, school: School) -> SchoolMembership:
    membership, _ = SchoolMembership.objects.get_or_create(user=user, school=school)
    return membership


@transaction.atomic
def study_period_create(
    *,
    year: AcademicYear,
    kind: str,
    number: int,
    start: datetime.date,
    end: datetime.date,
    final_marks_deadline: datetime.date | None = None,
) -> StudyPeriod:
    period = StudyPeriod(
        year=year, kind=kind, number=number, start=start, end=end, final_marks_deadline=final_marks_deadline
    )
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def teaching_assignment_create(
    *, actor: User | None, course: Course, teacher: User, date_from: datetime.date, date_to: datetime.date | None = None
) -> TeachingAssignment:
    """The teacher starts teaching the course; they may edit it from the same request on."""
    assignment = TeachingAssignment(course=course, teacher=teacher, date_from=date_from, date_to=date_to)
    assignment.full_clean()
    assignment.save()
    membership_ensure(user=teacher, school=course.class_group.year.school)
    sync_user_object(teacher, course)
    return assignment


@transaction.atomic
def teaching_assignment_end(
    *, actor: User | None, assignment: TeachingAssignment, date_to: datetime.date | None = None
) -> TeachingAssignment:
    """The assignment ends on ``date_to`` (today by default): from that day on it gives no access."""
    assignment.date_to = max(date_to or timezone.localdate(), assignment.date_from)
    assignment.full_clean()
    assignment.save(update_fields=["date_to"])
    sync_user_object(assignment.teacher, assignment.course)
    return assignment


@transaction.atomic
def class_teacher_set(*, actor: User | None, class_group: ClassGroup, teacher: User | None) -> ClassGroup:
    """Appoint (or remove, with ``None``) the class teacher; the previous one loses the class."""
    previous = class_group.class_teacher
    class_group.class_teacher = teacher
    class_group.save(update_fields=["class_teacher"])
    if previous is not None and previous != teacher:
        sync_user_object(previous, class_group)
    if teacher is not None:
        membership_ensure(user=teacher, school=class_group.year.school)
        sync_user_object(teacher, class_group)
    return class_group


@transaction.atomic
def enrolment_create(
    *,
    actor: User | None,
    student: Student,
    class_group: ClassGroup,
    date_from: datetime.date,
    reason: str = EnrolmentReason.START_OF_YEAR,
    note: str = "",
    date_to: datetime.date | None = None,
    reason_out: str = "",
) -> Enrolment:
    """Enrol a student; refuses a second enrolment on overlapping dates."""
    Student.objects.select_for_update().get(pk=student.pk)
    enrolment = Enrolment(
        student=student,
        class_group=class_group,
        date_from=date_from,
        date_to=date_to,
        reason_in=reason,
        reason_out=reason_out,
        note=note,
    )
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_end(
    *, actor: User | None, enrolment: Enrolment, date_to: datetime.date, reason: str, note: str = ""
) -> Enrolment:
    """The student leaves the class; the last day in it is ``date_to``."""
    enrolment.date_to = date_to
    enrolment.reason_out = reason
    if note:
        enrolment.note = note
    enrolment.full_clean()
    enrolment.save(update_fields=["date_to", "reason_out", "note"])
    memberships_end(student=enrolment.student, class_group=enrolment.class_group, last_day=date_to)
    return enrolment


@transaction.atomic
def student_transfer(
    *, actor: User | None, student: Student, to_class: ClassGroup, on: datetime.date, note: str = ""
) -> Enrolment:
    """Move a student to another class from ``on``; both enrolments stay in the history. The enrolment
    left is the one holding ``on`` (next year's, made ahead by the new-year wizard, stays as it is): the new
    one ends when it would have ended."""
    Student.objects.select_for_update().get(pk=student.pk)
    current = enrolment_holding(student.pk, on)
    if current is None:
        raise ValidationError(_("The student is in no class on %(day)s.") % {"day": on.strftime("%d.%m.%Y")})
    until, reason_out = current.date_to, current.reason_out
    memberships_follow(student=student, from_class=current.class_group, to_class=to_class, on=on)
    enrolment_end(
        actor=actor,
        enrolment=current,
        date_to=on - datetime.timedelta(days=1),
        reason=EnrolmentReason.TRANSFER,
        note=note,
    )
    return enrolment_create(
        actor=actor,
        student=student,
        class_group=to_class,
        date_from=on,
        reason=EnrolmentReason.TRANSFER,
        note=note,
        date_to=until,
        reason_out=reason_out,
    )


@transaction.atomic
def parent_link_create(
    *,
    actor: User | None,
    parent: User,
    student: Student,
    relation: str = "",
    consent_given: bool = False,
    wants_paper_printout: bool = False,
) -> ParentLink:
    link = ParentLink(
        parent=parent,
        student=student,
        relation=relation,
        consent_given_at=timezone.now() if consent_given else None,
        wants_paper_printout=wants_paper_printout,
    )
    link.full_clean()
    link.save()
    if consent_given:
        ConsentRecord.objects.create(
            link=link, given=True, on=timezone.localdate(), form=ConsentForm.PAPER, recorded_by=actor
        )
    membership_ensure(user=parent, school=student.school)
    sync_user_object(parent, student)
    return link


@transaction.atomic
def parent_link_end(*, actor: User | None, link: ParentLink) -> ParentLink:
    """The person is no longer the child's representative: access ends on the next request."""
    link.ended_at = timezone.now()
    link.save(update_fields=["ended_at"])
    sync_user_object(link.parent, link.student)
    return link


@transaction.atomic
def student_login_attach(*, actor: User | None, student: Student, user: User) -> Student:
    """Give the student a login of their own; it reads only their own diary."""
    previous = student.user
    student.user = user
    student.save(update_fields=["user"])
    if previous is not None and previous != user:
        sync_user_object(previous, student)
    membership_ensure(user=user, school=student.school)
    sync_user_object(user, student)
    return student
