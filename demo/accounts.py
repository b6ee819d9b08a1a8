"""The demo school's account administration: the logins issued at the start of the year (who issued them,
never the passwords), a parent's compromised login of last week with its Act and the new slip (§3.15–3.16),
the sign-ins the history pages show."""

from __future__ import annotations

import datetime

from axes.models import AccessLog
from django.utils import timezone

from accounts.models import CompromiseReport, LoginIssue, ReportSource, User
from accounts.services.logins import logins_issue
from journal.models import AcademicYear, ParentLink, School
from journal.selectors.schools import users_of_school

BROWSERS = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
)


def build_demo_accounts(
    *, school: School, year: AcademicYear, today: datetime.date, administrator: User, keep: set[int]
) -> CompromiseReport | None:
    """``keep``: the accounts of the README's login table, left as they are (their passwords work)."""
    start = timezone.make_aware(datetime.datetime.combine(year.start, datetime.time(9)))
    users = list(users_of_school(school).exclude(pk=administrator.pk))
    LoginIssue.objects.bulk_create(LoginIssue(user=user, issued_by=administrator) for user in users)
    LoginIssue.objects.filter(user__in=users).update(issued_at=start)
    # The named accounts sign in every school day of the last two weeks (the history pages have rows).
    logs = []
    for user in User.objects.filter(pk__in=keep):
        for back in range(14):
            day = today - datetime.timedelta(days=back)
            if day.weekday() >= 5:
                continue
            logs.append(
                AccessLog(
                    username=user.username,
                    user_agent=BROWSERS[back % 2],
                    ip_address=f"10.0.0.{10 + back}",
                    http_accept="text/html",
                    path_info="/accounts/login/",
                )
            )
    made = AccessLog.objects.bulk_create(logs)
    for index, log in enumerate(made):
        day = today - datetime.timedelta(days=index % 14)
        AccessLog.objects.filter(pk=log.pk).update(
            attempt_time=timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, index % 60)))
        )
    # A mother's login reported compromised on paper last week: locked, the Act made, a new slip issued.
    link = (
        ParentLink.objects.filter(student__school=school, ended_at__isnull=True, consent_given_at__isnull=False)
        .exclude(parent_id__in=keep)
        .select_related("parent")
        .order_by("parent__last_name", "parent__first_name", "pk")
        .first()
    )
    if link is None or today - datetime.timedelta(days=7) < year.start:
        return None
    from journal.services.compromise import compromise_act

    received = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=6), datetime.time(8, 40)))
    report = CompromiseReport.objects.create(
        user=link.parent,
        source=ReportSource.PAPER,
        discovered_at=received - datetime.timedelta(minutes=35),
        received_at=received,
        entered_by=administrator,
    )
    compromise_act(actor=administrator, report=report)
    CompromiseReport.objects.filter(pk=report.pk).update(act_at=received + datetime.timedelta(hours=2))
    logins_issue(actor=administrator, users=[link.parent])
    return report


def build_demo_contacts(*, school: School, today: datetime.date, class_teacher: User, parent: User) -> None:
    """5А's class teacher corrected a father's phone last month and marked the class's data checked; the
    named mother asks for her new e-mail to be written in."""
    from journal.models import ClassGroup, ContactChange, ContactCheck
    from journal.services.contacts import contact_request, contacts_checked, contacts_update

    five_a = ClassGroup.objects.filter(year__school=school, year__is_current=True, grade=5, letter="А").first()
    if five_a is None:
        return
    father = (
        ParentLink.objects.filter(student__enrolments__class_group=five_a, relation="father", ended_at__isnull=True)
        .exclude(parent=parent)
        .select_related("parent")
        .order_by("parent__last_name", "pk")
        .first()
    )
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
    if father is not None:
        contacts_update(actor=class_teacher, person=father.parent, phone="+7 915 204-17-38", email=father.parent.email)
        ContactChange.objects.filter(person=father.parent).update(
            changed_at=timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(16, 5)))
        )
    if last_month >= five_a.year.start:
        check = contacts_checked(actor=class_teacher, class_group=five_a, day=last_month)
        ContactCheck.objects.filter(pk=check.pk).update(
            checked_at=timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(16, 10)))
        )
    child = ParentLink.objects.filter(parent=parent, student__enrolments__class_group=five_a).first()
    if child is not None:
        contact_request(actor=parent, student=child.student, text="Новый адрес почты: smirnova.ov@example.ru")
