"""What ``seed_demo`` prints, read back from the database: the login table, counts, movement."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import User
from accounts.roles import Role, role_labels
from journal import rules
from journal.models import (
    AcademicYear,
    Attendance,
    BellSchedule,
    ClassGroup,
    Course,
    Enrolment,
    FinalMark,
    Homework,
    Lesson,
    LessonChange,
    LessonKind,
    LessonStatus,
    Mark,
    ParentLink,
    PlanItem,
    School,
    SchoolMembership,
    Student,
    StudyPeriod,
    Substitution,
    TeachingAssignment,
    ThematicPlan,
    TimetableEntry,
    Weekday,
)
from journal.models.people import EnrolmentReason, ParentRelation
from journal.permissions import open_assignments
from journal.selectors.membership import enrolled_on
from journal.selectors.schools import users_with_role, with_school_roles
from monitoring.models import ControlCheck, UserDay

# The class whose people make up the login table.
SHOWCASE_CLASS = (5, "А")


@dataclass(frozen=True)
class LoginRow:
    role: str
    user: User
    who: str


def _users(school: School, role: Role) -> list[User]:
    return with_school_roles(users_with_role(school, role).order_by("pk"), school)


def _label(cg: ClassGroup) -> str:
    return f"{cg.grade}{cg.letter}"


def _kept_by_an_administrator(user: User) -> bool:
    """Someone other than a superuser may re-issue or disable the login (``rules.may_manage_login``): an
    administrator of every school the person belongs to."""
    admins = User.objects.filter(
        memberships__school__memberships__user=user, memberships__roles__role=Role.ADMINISTRATOR
    ).distinct()
    return any(rules.may_manage_login(admin, user) for admin in admins)


def login_rows(school: School, year: AcademicYear, today: datetime.date) -> list[LoginRow]:
    """One account per role: the administration, and the people of 5А (its mathematics teacher,
    its class teacher, a student with a login and that student's mother, who has two children here)."""
    rows: list[LoginRow] = []
    for role, label, note in (
        (Role.ADMINISTRATOR, "administrator", "администратор"),
        (Role.DIRECTOR, "director", "директор"),
    ):
        users = _users(school, role)
        if users:
            # The roles held in another school of the server (read there: these users' roles are this school's).
            elsewhere = [
                f"в «{m.school.name}» {role_labels(r.role for r in m.roles.all()).lower()}"
                for m in users[0].memberships.exclude(school=school).select_related("school").prefetch_related("roles")
            ]
            also = f"; {'; '.join(elsewhere)} (меню пользователя: «Перейти в…»)" if elsewhere else ""
            if elsewhere and not _kept_by_an_administrator(users[0]):
                also += "; пароль и вход меняет только суперпользователь"
            rows.append(LoginRow(label, users[0], note + also))
    deputies = [u for u in _users(school, Role.DEPUTY) if not u.has_role(Role.TEACHER)]
    if deputies:
        rows.append(LoginRow("deputy", deputies[0], "заместитель директора по УВР"))

    showcase = (
        ClassGroup.objects.filter(year=year, grade=SHOWCASE_CLASS[0], letter=SHOWCASE_CLASS[1])
        .select_related("class_teacher")
        .first()
    )
    if showcase is None:
        return rows
    name = _label(showcase)
    math = (
        TeachingAssignment.objects.filter(
            open_assignments(today), course__class_group=showcase, course__subject__name="Математика"
        )
        .select_related("teacher")
        .order_by("date_from", "pk")
        .first()
    )
    if math is not None:
        led = ", ".join(_label(c) for c in ClassGroup.objects.filter(year=year, class_teacher=math.teacher))
        rows.append(
            LoginRow("teacher", math.teacher, f"учитель математики {name}" + (f", кл. рук. {led}" if led else ""))
        )
    if showcase.class_teacher is not None:
        subjects = (
            TeachingAssignment.objects.filter(open_assignments(today), course__class_group=showcase)
            .filter(teacher=showcase.class_teacher)
            .values_list("course__subject__name", flat=True)
            .distinct()
        )
        what = ", ".join(sorted(s.lower() for s in subjects)) or "без уроков в классе"
        rows.append(LoginRow("class teacher", showcase.class_teacher, f"классный руководитель {name}, {what}"))

    # The student: the first of the class with a login whose mother has more than one child in the school.
    many_children = (
        ParentLink.objects.filter(ended_at__isnull=True, student__school=school)
        .values("parent")
        .annotate(n=Count("student", distinct=True))
        .filter(n__gte=2)
        .values("parent")
    )
    mother_link = (
        ParentLink.objects.filter(
            ended_at__isnull=True,
            relation=ParentRelation.MOTHER,
            parent__in=many_children,
            student__user__isnull=False,
            student__enrolments__in=Enrolment.objects.filter(enrolled_on(today), class_group=showcase),
        )
        .select_related("parent", "student__user")
        .order_by("student__pk", "pk")
        .first()
    )
    student_user = mother_link.student.user if mother_link is not None else None
    if mother_link is not None and student_user is not None:
        mother = mother_link.parent
        kids = Student.objects.filter(parent_links__parent=mother, parent_links__ended_at__isnull=True).order_by("pk")
        kids_text = ", ".join(f"{k.first_name} ({_current_class(k, today)})" for k in kids)
        rows.append(LoginRow("parent", mother, f"мать: {kids_text}"))
        rows.append(LoginRow("student", student_user, f"ученик {name}"))
    return rows


def _current_class(student: Student, today: datetime.date) -> str:
    enrolment = student.enrolments.filter(enrolled_on(today)).select_related("class_group").first()
    return _label(enrolment.class_group) if enrolment else "выбыл"


def counts(school: School, year: AcademicYear, today: datetime.date) -> dict[str, int]:
    entries = TimetableEntry.objects.filter(course__class_group__year=year)
    lessons = Lesson.objects.filter(course__class_group__year=year)
    plans = ThematicPlan.objects.filter(year=year)
    return {
        "classes": ClassGroup.objects.filter(year=year).count(),
        "students (all)": Student.objects.filter(school=school).count(),
        "students enrolled today": Enrolment.objects.filter(enrolled_on(today), class_group__year=year)
        .values("student")
        .distinct()
        .count(),
        "students with a login": Student.objects.filter(school=school, user__isnull=False).count(),
        "teachers": users_with_role(school, Role.TEACHER).count(),
        "parents": users_with_role(school, Role.PARENT).count(),
        "parent links": ParentLink.objects.filter(student__school=school).count(),
        "courses": Course.objects.filter(class_group__year=year).count(),
        "teaching assignments": TeachingAssignment.objects.filter(course__class_group__year=year).count(),
        "users": SchoolMembership.objects.filter(school=school).count(),
        "study periods": StudyPeriod.objects.filter(year=year).count(),
        "bell schedules": BellSchedule.objects.filter(school=school).count(),
        "timetable entries (valid today)": entries.filter(valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .count(),
        "timetable entries (all, with changes)": entries.count(),
        "lessons": lessons.count(),
        "lessons held": lessons.filter(status=LessonStatus.HELD).count(),
        "lessons cancelled": lessons.filter(status=LessonStatus.CANCELLED).count(),
        "extra lessons": lessons.filter(is_extra=True).count(),
        "контрольные (lessons of kind test)": lessons.filter(kind=LessonKind.TEST).count(),
        "контрольные with a results date": lessons.filter(kind=LessonKind.TEST, results_on__isnull=False).count(),
        "lesson changes": LessonChange.objects.filter(lesson__course__class_group__year=year).count(),
        "thematic plans": plans.count(),
        "thematic plans shared by a parallel": plans.filter(course__isnull=True).count(),
        "plan items": PlanItem.objects.filter(plan__year=year).count(),
        "substitutions": Substitution.objects.filter(lesson__course__class_group__year=year).count(),
        "marks": Mark.objects.filter(lesson__course__class_group__year=year).count(),
        "double marks (position 2)": Mark.objects.filter(lesson__course__class_group__year=year, position=2).count(),
        "marks entered late": Mark.objects.filter(lesson__course__class_group__year=year, is_late=True).count(),
        "marks with a teacher's remark": Mark.objects.filter(lesson__course__class_group__year=year)
        .exclude(comment="")
        .count(),
        "absences": Attendance.objects.filter(lesson__course__class_group__year=year, status="absent").count(),
        "late arrivals": Attendance.objects.filter(lesson__course__class_group__year=year, status="late").count(),
        "homework": Homework.objects.filter(lesson__course__class_group__year=year).count(),
        "final marks": FinalMark.objects.filter(course__class_group__year=year).count(),
        "locked periods": StudyPeriod.objects.filter(year=year, is_locked=True).count(),
        "days of use recorded": UserDay.objects.filter(school=school).count(),
        "control checks": ControlCheck.objects.filter(year=year).count(),
    }


def movement(year: AcademicYear) -> list[str]:
    """Enrolments other than «from the first day, still there», and teaching assignments that changed hands."""
    lines = []
    enrolments = (
        Enrolment.objects.filter(class_group__year=year)
        .filter(~Q(reason_in=EnrolmentReason.START_OF_YEAR) | ~Q(reason_out=""))
        .select_related("student", "class_group")
        .order_by("date_from", "student__last_name", "pk")
    )
    for e in enrolments:
        end = f" – {e.date_to:%d.%m.%Y} ({e.get_reason_out_display()})" if e.date_to else " – …"
        lines.append(
            f"{e.student.full_name}: {_label(e.class_group)} {e.date_from:%d.%m.%Y} ({e.get_reason_in_display()})"
            f"{end}{f'; {e.note}' if e.note else ''}"
        )
    changed = TeachingAssignment.objects.filter(course__class_group__year=year).filter(
        Q(date_to__isnull=False) | Q(date_from__gt=year.start)
    )
    for a in changed.select_related("course__class_group", "course__subject", "teacher").order_by("date_from", "pk"):
        until = f" – {a.date_to:%d.%m.%Y}" if a.date_to else " – …"
        lines.append(f"{a.course}: {a.teacher.full_name} {a.date_from:%d.%m.%Y}{until}")
    return lines


def planning_events(year: AcademicYear) -> list[str]:
    """Timetable changes from a date, one-off lesson changes and substitutions, in date order."""
    changed = (
        TimetableEntry.objects.filter(course__class_group__year=year, valid_from__gt=year.start)
        .select_related("course__class_group", "course__subject", "course__subgroup", "room")
        .order_by("valid_from", "pk")
    )
    lines = [
        f"{e.course}: from {e.valid_from:%d.%m.%Y} on {Weekday(e.weekday).label}, lesson {e.slot}"
        f"{f', room {e.room}' if e.room else ''}"
        for e in changed
    ]
    changes = (
        LessonChange.objects.filter(lesson__course__class_group__year=year)
        .select_related("lesson__course__class_group", "lesson__course__subject", "lesson__course__subgroup")
        .order_by("lesson__date", "lesson__slot", "pk")
    )
    for c in changes:
        what = " → ".join(part for part in (c.before, c.after) if part)
        lines.append(f"{c.lesson.course}: {c.get_kind_display()} ({what}); {c.reason}")
    subs = (
        Substitution.objects.filter(lesson__course__class_group__year=year)
        .select_related("lesson__course__class_group", "lesson__course__subject", "absent_teacher", "substitute")
        .order_by("lesson__date", "lesson__slot")
    )
    lines.extend(
        f"{sub.lesson.date:%d.%m.%Y}, lesson {sub.lesson.slot}, {sub.lesson.course}: "
        f"{sub.substitute.short_name} ({sub.substitute.username}) for {sub.absent_teacher.short_name}; {sub.reason}"
        for sub in subs
    )
    return lines
