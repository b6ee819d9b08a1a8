"""Who may do what: every role set and every "who may" of the regulation, in one module.

Two kinds of rule live here:

- **role rules** read only the user's roles in the school they act in (``User.roles``: the
  ``MembershipRole`` rows of the request's school, ``journal.middleware``): who reaches the journal's
  pages at all (§3.12), who reads the whole school (§4.2, §4.5), who edits the timetable (§4.1,
  §4.5), who locks periods and changes the grading policy, who reverts another user's changes
  (§3.16), who manages events, who administers the school;
- **login rules**: whose login an administrator re-issues, resets, disables or edits (only a login of the
  schools they administer, every one of the person's; else the superuser), and when setting up the second
  factor takes an enrolment code from someone other than the password's issuer;
- **scope rules** add the user's relations inside a school (a teaching assignment, a
  class-teacher post, a substitution, a parent link), read from the guardian rows that the
  structure services keep in step with those relations (``journal/permissions.py``).

Access functions (``<app>/access.py``) and services ask these; nothing else compares roles.
A newcomer looking for "who may …" of any page or service finds it below.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Exists, Model, OuterRef
from django_otp import user_has_device

from accounts.models import LoginIssue, User
from accounts.roles import Role
from journal.models import (
    AcademicYear,
    ClassGroup,
    ClassGroupUserObjectPermission,
    CourseUserObjectPermission,
    Lesson,
    LessonUserObjectPermission,
    ParentLink,
    School,
    SchoolMembership,
    Student,
)

# --- Role sets: defined once -------------------------------------------------------------

# The journal side (§3.12: students never work with the journal, and neither do parents).
STAFF = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER})
# The diary side: parents and students read the diary (§3.10, §5.3).
FAMILY = frozenset({Role.PARENT, Role.STUDENT})
# The administration reads everything of its school (§4.2 director, §4.5 deputy, §4.1 administrator).
ADMINISTRATION = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.DEPUTY})
# The timetable, the curriculum, lesson changes and substitutions: the deputy forms them (§4.5),
# the administrator enters them (§4.1); the director reads.
TIMETABLE_EDITORS = frozenset({Role.DEPUTY, Role.ADMINISTRATOR})
# Locking and unlocking study periods, the grading policy: the deputy and the administrator.
PERIOD_EDITORS = frozenset({Role.DEPUTY, Role.ADMINISTRATOR})
# Reverting another user's changes (the compromised-login procedure, §3.16) and the history pages.
HISTORY_ADMINS = frozenset({Role.ADMINISTRATOR})
# School-wide events: the deputy runs them (§2.10); the director and the administrator may as well.
EVENT_MANAGERS = ADMINISTRATION
# A thematic plan shared by a parallel (§2.2): besides its teachers, the deputy.
SHARED_PLAN_EDITORS = frozenset({Role.DEPUTY})
# The school's reports and monitoring (§4.2, §4.5): the director and the deputy; the administrator
# issues logins and enters data, and reads reports only when also a deputy (§3.6).
REPORT_READERS = frozenset({Role.DIRECTOR, Role.DEPUTY})
# The monitoring of the journal (§4.3, §4.5, §7.2) is the reports' readers'; the use of the system and the
# families' logins (§4.1) the administrator reads as well.
MONITORING_READERS = REPORT_READERS
USAGE_READERS = ADMINISTRATION
# Control records of a course or a teacher (§3.9, §7.2): the deputy keeps them, the director may.
CONTROL_CHECKERS = frozenset({Role.DEPUTY, Role.DIRECTOR})
# The year-end journal of final marks for binding and the year's archive (§7.4): the deputy makes them,
# the director signs; a class teacher reads (and checks) their class's.
BINDERS = REPORT_READERS


# --- Role rules ------------------------------------------------------------------------------


def is_staff(user: User) -> bool:
    """Reaches the journal's pages (parents and students never do, §3.12)."""
    return user.is_authenticated and user.has_role(*STAFF)


def is_teacher(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.TEACHER)


def is_parent(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.PARENT)


def is_student(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.STUDENT)


def reads_diary(user: User) -> bool:
    """Reads a diary: a parent (their children's) or a student (their own)."""
    return user.is_authenticated and user.has_role(*FAMILY)


def reads_whole_school(user: User) -> bool:
    return user.is_authenticated and user.has_role(*ADMINISTRATION)


def edits_timetable(user: User) -> bool:
    """Timetable entries, the curriculum, lesson changes and substitutions."""
    return user.is_authenticated and user.has_role(*TIMETABLE_EDITORS)


def reads_curriculum(user: User) -> bool:
    """The curriculum, the study periods, the grading policy: the administration reads them."""
    return reads_whole_school(user)


def makes_new_year(user: User) -> bool:
    """Makes the next academic year from the current one (the new-year wizard, §4.1)."""
    return user.is_authenticated and user.has_role(*PERIOD_EDITORS)


def edits_periods(user: User) -> bool:
    """Locks and unlocks study periods, changes the grading policy and its work types."""
    return user.is_authenticated and user.has_role(*PERIOD_EDITORS)


def administers(user: User) -> bool:
    """The school's administrator (the administration site, issuing logins, the change history)."""
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))


def reads_change_history(user: User) -> bool:
    """Every user's history of changes (and reverting them, §3.16): the administrator."""
    return user.is_authenticated and user.has_role(*HISTORY_ADMINS)


def reverts_changes_of(actor: User, user: User) -> bool:
    """Anyone reverts their own changes; only the administrator another user's (§3.16)."""
    return actor.pk == user.pk or reads_change_history(actor)


def manages_school_events(user: User) -> bool:
    return user.is_authenticated and user.has_role(*EVENT_MANAGERS)


def reads_school_reports(user: User) -> bool:
    """Every class's reports and the whole school's (§4.2, §4.5)."""
    return user.is_authenticated and user.has_role(*REPORT_READERS)


def reads_school_monitoring(user: User) -> bool:
    """The whole school's journal monitoring: teachers' activity, filling, material, final marks, checks."""
    return user.is_authenticated and user.has_role(*MONITORING_READERS)


def reads_usage(user: User) -> bool:
    """Logins per role and the families' use of the diary (§4.1, §4.5)."""
    return user.is_authenticated and user.has_role(*USAGE_READERS)


def records_control_checks(user: User) -> bool:
    return user.is_authenticated and user.has_role(*CONTROL_CHECKERS)


def makes_bound_journal(user: User) -> bool:
    """Makes the bound journal of final marks and the year's archive, of a class or the whole school."""
    return user.is_authenticated and user.has_role(*BINDERS)


# --- Logins: who re-issues, resets, disables or edits another person's login --------------------------


def administered_schools(user: User) -> frozenset[int]:
    """The ids of the schools where the user holds the administrator's role (every school, not the acting one)."""
    return frozenset(school_id for school_id, held in user.roles_by_school.items() if Role.ADMINISTRATOR in held)


def managed_logins(actor: User, user_ids: Iterable[int]) -> set[int]:
    """Which of these logins ``actor`` may manage (:func:`may_manage_login`), in one query."""
    ids = set(user_ids)
    if not ids or not actor.is_authenticated:
        return set()
    ids.discard(actor.pk)
    if actor.is_superuser:
        return ids
    administered = administered_schools(actor)
    if not administered:
        return set()
    elsewhere = SchoolMembership.objects.filter(user_id__in=ids).exclude(school_id__in=administered)
    member = SchoolMembership.objects.filter(user_id__in=ids, school_id__in=administered)
    return (
        set(member.values_list("user_id", flat=True))
        - set(elsewhere.values_list("user_id", flat=True))
        - set(User.objects.filter(pk__in=ids, is_superuser=True).values_list("pk", flat=True))
    )


def may_manage_login(actor: User, user: User) -> bool:
    """Re-issues the password of, resets the second factor of, disables or enables, or edits the login of
    ``user`` (the slips, the staff list, a paper compromise report, the administration site's user form and
    password form): the superuser (any login but their own), or an administrator of **every** school the
    person belongs to. A login is one person's in every school: a person who is also in another school (a
    teacher there, a parent of a child there, its administrator) is not one school's to take over, so their
    login is served by the superuser or by someone who administers all of their schools. Nobody manages
    their own login here (they change their password themselves); a superuser's login only a superuser."""
    if not actor.is_authenticated or actor.pk == user.pk:
        return False
    if user.is_superuser:
        return actor.is_superuser
    if actor.is_superuser:
        return True
    schools = set(SchoolMembership.objects.filter(user=user).values_list("school_id", flat=True))
    return bool(schools) and schools <= administered_schools(actor)


def latest_issue(user: User) -> LoginIssue | None:
    """The last time someone issued the user a password (a slip, the administration site), or None."""
    return LoginIssue.objects.filter(user=user).order_by("-issued_at", "-pk").first()


def needs_enrolment_code(user: User) -> bool:
    """Setting up the second factor takes an enrolment code (:class:`accounts.models.EnrolmentCode`): a person
    who holds an administration role anywhere (``MFA_REQUIRED_ROLES``), has no confirmed device, and whose
    password was last issued by someone else. The issuer knows that password (it was temporary, but whoever
    signs in first sets the next one), so the password alone must not enrol a phone: the code comes from
    someone who did not issue it (:func:`gives_enrolment_code`) and reaches the person in hand."""
    if not user.is_authenticated or not user.has_role_anywhere(*(Role(r) for r in settings.MFA_REQUIRED_ROLES)):
        return False
    if user_has_device(user, confirmed=True):
        return False
    issue = latest_issue(user)
    return issue is not None and issue.issued_by_id != user.pk


def gives_enrolment_code(actor: User, user: User) -> bool:
    """Gives ``user`` an enrolment code for the second factor: the superuser, or an administrator of one of the
    person's schools; never the person, and never whoever issued the person's current password."""
    if not actor.is_authenticated or actor.pk == user.pk:
        return False
    issue = latest_issue(user)
    if issue is not None and issue.issued_by_id == actor.pk:
        return False
    if actor.is_superuser:
        return True
    if user.is_superuser:
        return False
    schools = set(SchoolMembership.objects.filter(user=user).values_list("school_id", flat=True))
    return bool(schools & administered_schools(actor))


# --- Scope rules -------------------------------------------------------------------------------


def perm_exists(table: type[Model], user: User | int, codename: str, object_id: object) -> Exists:
    """EXISTS of the user's permission row ``codename`` on the object (an id or an ``OuterRef``)."""
    return Exists(table._default_manager.filter(user=user, permission__codename=codename, content_object=object_id))


def teaches_in(user: User, school: School | None) -> bool:
    """Another person (a substitute, a teacher whose journal is checked) is a teacher of this school: the
    role held there (a role applies in the school it was given in), not in some other school."""
    return school is not None and user.is_active and Role.TEACHER in user.roles_in(school.pk)


def is_member(user: User, school: School | None) -> bool:
    return school is not None and SchoolMembership.objects.filter(user=user, school=school).exists()


def teaches_course(user: User, school: School | None, course_id: int) -> bool:
    """Writes in the course: an open teaching assignment (``change_course``)."""
    if school is None:
        return False
    return CourseUserObjectPermission.objects.filter(
        user=user,
        permission__codename="change_course",
        content_object_id=course_id,
        content_object__class_group__year__school=school,
    ).exists()


def leads_class(user: User, school: School | None, class_id: int) -> bool:
    """The class teacher of the class (§4.3)."""
    if school is None:
        return False
    return ClassGroupUserObjectPermission.objects.filter(
        user=user,
        permission__codename="lead_classgroup",
        content_object_id=class_id,
        content_object__year__school=school,
    ).exists()


def requests_movement(user: User, school: School | None, class_id: int) -> bool:
    """Asks for a student of the class to arrive, move or leave (§4.3): its class teacher, the administrator."""
    return administers(user) or leads_class(user, school, class_id)


def keeps_subgroups(user: User, school: School | None, class_id: int) -> bool:
    """Moves the class's students between the groups of a split subject (§4.1): its class teacher, the
    deputy (who builds the timetable of the groups), the administrator."""
    return user.is_authenticated and (user.has_role(*TIMETABLE_EDITORS) or leads_class(user, school, class_id))


def keeps_contacts(user: User, school: School | None, class_id: int) -> bool:
    """Edits the contact data of the class's parents and marks it checked each month (§3.7, §4.3, §5.6): its
    class teacher, the administrator."""
    return administers(user) or leads_class(user, school, class_id)


def confirms_movement(user: User) -> bool:
    """Confirms (or refuses) a movement with the director's order: the administrator (§4.1)."""
    return administers(user)


def _lesson_rights(user: User, school: School | None, lesson: Lesson, *, class_teacher: bool) -> bool:
    """The user's permission rows on the lesson (one query of EXISTS): the course's teacher, the lesson's
    substitute and, with ``class_teacher``, the class teacher of its class."""
    if school is None:
        return False
    rights: Any = perm_exists(CourseUserObjectPermission, user, "change_course", OuterRef("course_id")) | perm_exists(
        LessonUserObjectPermission, user, "change_lesson", OuterRef("pk")
    )
    if class_teacher:
        rights |= perm_exists(
            ClassGroupUserObjectPermission, user, "lead_classgroup", OuterRef("course__class_group_id")
        )
    return Lesson.objects.filter(rights, pk=lesson.pk, course__class_group__year__school=school).exists()


def writes_lesson(user: User, school: School | None, lesson: Lesson) -> bool:
    """Marks, attendance, homework, topic: the course's teacher, or the substitute of exactly this lesson (§4.4)."""
    return _lesson_rights(user, school, lesson, class_teacher=False)


def sets_absence_reason(user: User, school: School | None, lesson: Lesson) -> bool:
    """Those who write the lesson, and the class teacher of its class (the reason only, §4.3)."""
    return _lesson_rights(user, school, lesson, class_teacher=True)


def edits_shared_plan(user: User, school: School | None, *, year_id: int, subject_id: int, grade: int) -> bool:
    """A plan shared by a parallel: every teacher of that subject in that grade, and the deputy (§2.2).

    A course's own plan is its teacher's (:func:`teaches_course`).
    """
    if school is None:
        return False
    if user.has_role(*SHARED_PLAN_EDITORS):
        return True
    return CourseUserObjectPermission.objects.filter(
        user=user,
        permission__codename="change_course",
        content_object__class_group__year__school=school,
        content_object__class_group__year_id=year_id,
        content_object__class_group__grade=grade,
        content_object__subject_id=subject_id,
    ).exists()


def reads_class_reports(user: User, school: School | None, class_id: int) -> bool:
    """A class's reports, its overview of marks and its attendance desk: its class teacher (§4.3), the
    director and the deputy (§4.5). Parents and students never (§3.12). ``school`` is the request's (one of
    the user's); the class is looked up in it by :func:`reports.access.get_report_class_for_user`."""
    if school is None or not is_staff(user):
        return False
    return reads_school_reports(user) or leads_class(user, school, class_id)


def reads_reports(user: User, school: School | None) -> bool:
    """Asks for reports at all: the director and the deputy (every class), a class teacher (their classes)."""
    if school is None or not is_staff(user):
        return False
    return (
        reads_school_reports(user)
        or ClassGroupUserObjectPermission.objects.filter(
            user=user, permission__codename="lead_classgroup", content_object__year__school=school
        ).exists()
    )


def corrects_class_attendance(user: User, school: School | None, class_id: int) -> bool:
    """Confirms or corrects the reasons of the class's absences on its attendance desk: the class teacher
    (§4.3). Those who write a lesson change its reasons in the grid (:func:`sets_absence_reason`)."""
    return is_staff(user) and leads_class(user, school, class_id)


def manages_class_documents(user: User, school: School | None, class_group: ClassGroup) -> bool:
    """The class's weekly printouts and diary acknowledgements: its class teacher and the administration."""
    return reads_whole_school(user) or leads_class(user, school, class_group.pk)


def manages_events_of(user: User, school: School | None, class_group: ClassGroup | None) -> bool:
    """School-wide events are the managers'; a class's also its class teacher's."""
    if not is_member(user, school):
        return False
    assert school is not None  # noqa: S101 - is_member checked it
    if class_group is not None and class_group.year.school_id != school.pk:
        return False
    if manages_school_events(user):
        return True
    return class_group is not None and is_teacher(user) and leads_class(user, school, class_group.pk)


def announces_to(user: User, class_group: ClassGroup) -> bool:
    """Posts announcements to the class's parents: its class teacher and the administration of its school."""
    school = class_group.year.school
    if reads_whole_school(user) and is_member(user, school):
        return True
    return is_teacher(user) and leads_class(user, school, class_group.pk)


def is_parent_of(user: User, student: Student) -> bool:
    """An active parent link (acknowledging a week of the child's diary, the parents' notifications)."""
    return (
        user.is_authenticated
        and user.has_role(Role.PARENT)
        and ParentLink.objects.filter(parent=user, student=student, ended_at__isnull=True).exists()
    )


# --- Years ------------------------------------------------------------------------------------


def year_is_open(year: AcademicYear) -> bool:
    """An archived year is read-only for everyone: its journal, timetable, curriculum and marks."""
    return not year.is_archived
