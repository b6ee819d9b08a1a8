"""Logins issued by the administrator (§3.2, §3.3, §4.1): a class's in bulk (a student without a login gets
one made from their name; each chosen person gets a single-use password; the slips of Appendix 2 carry them
and are the only place they are written); a new staff member and the roles the staff hold in the school."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import LoginIssue, User
from accounts.roles import Role
from accounts.services.logins import Slip, login_create, logins_issue
from accounts.services.users import user_set_roles
from journal import rules
from journal.models import ClassGroup, School
from journal.rules import STAFF
from journal.selectors.accounts import AccountRow
from journal.selectors.schools import users_of_school
from journal.services.contacts import clean_phone, same_contacts
from journal.services.structure import student_login_attach
from messaging.services.notifications import notify_login_changed


def login_manage_check(actor: User, user: User) -> None:
    """Refuse unless ``actor`` may manage this login (:func:`journal.rules.may_manage_login`)."""
    if not rules.may_manage_login(actor, user):
        raise PermissionDenied(
            _(
                "%(login)s is not this school's alone: only the superuser or an administrator of each of the "
                "person's schools changes this login."
            )
            % {"login": user.username}
        )


@transaction.atomic
def password_issue(*, actor: User, user: User) -> str:
    """A new single-use password for one login (the administration site's action), by the rule of logins."""
    login_manage_check(actor, user)
    ((_user, password),) = logins_issue(actor=actor, users=[user])
    notify_login_changed(actor=actor, users=[user], change="password")
    return password


@transaction.atomic
def password_set_by(*, actor: User, user: User) -> None:
    """Someone else typed this login's password (the administration site's forms): it is an issued password,
    single-use and recorded like a slip's (its issuer is who typed it)."""
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    again = LoginIssue.objects.filter(user=user).exists() or user.last_login is not None
    LoginIssue.objects.create(user=user, issued_by=actor, reissue=again)
    notify_login_changed(actor=actor, users=[user], change="password")


@transaction.atomic
def class_logins_issue(*, actor: User, class_group: ClassGroup, rows: Iterable[AccountRow]) -> list[Slip]:
    """Issue the logins of the chosen people of the class: a login for a student who has none, a single-use
    password for everyone chosen (an earlier one is void at once). Returns the slips, in the list's order."""
    chosen = list(rows)
    if not chosen:
        raise ValidationError(_("Choose whom to issue logins to."))
    existing = [row.user for row in chosen if row.user is not None]
    managed = rules.managed_logins(actor, [user.pk for user in existing])
    foreign = sorted({user.username for user in existing if user.pk not in managed})
    if foreign:
        raise ValidationError(
            _(
                "The login %(logins)s is not this school's alone (the person is also in another school, or it is "
                "your own): only the superuser or an administrator of each of their schools issues its password."
            )
            % {"logins": ", ".join(foreign)}
        )
    users: list[User] = []
    for row in chosen:
        if row.user is None and row.student is not None:
            student = row.student
            user = login_create(  # its password is the slip's, issued below
                last_name=student.last_name,
                first_name=student.first_name,
                middle_name=student.middle_name,
                roles=(Role.STUDENT,),
                school=class_group.year.school,
            )
            student_login_attach(actor=actor, student=student, user=user)
            row.user = user
        elif row.user is None:
            continue
        elif not row.user.is_active:
            raise ValidationError(
                _("The login %(login)s is disabled: enable it before issuing a password.")
                % {"login": row.user.username}
            )
        users.append(row.user)
    passwords = dict((user.pk, password) for user, password in logins_issue(actor=actor, users=users))
    notify_login_changed(actor=actor, users=existing, change="password")
    school = class_group.year.school.name
    return [
        Slip(
            user=row.user,
            login=row.user.username,
            password=passwords[row.user.pk],
            student=row.student.full_name if row.student else "",
            class_name=str(class_group),
            school=school,
        )
        for row in chosen
        if row.user is not None
    ]


@transaction.atomic
def person_login_issue(*, actor: User, row: AccountRow, school: str) -> Slip:
    """One person's slip again (re-issue): a new single-use password, the old one void at once."""
    if row.student is None:  # staff: the school's slip, no class
        assert row.user is not None  # noqa: S101 - staff rows are users
        login_manage_check(actor, row.user)
        if not row.user.is_active:
            raise ValidationError(
                _("The login %(login)s is disabled: enable it before issuing a password.")
                % {"login": row.user.username}
            )
        ((user, password),) = logins_issue(actor=actor, users=[row.user])
        notify_login_changed(actor=actor, users=[user], change="password")
        return Slip(user=user, login=user.username, password=password, school=school)
    enrolment = row.student.enrolments.select_related("class_group__year__school").order_by("-date_from").first()
    if enrolment is None:
        raise ValidationError(_("%(student)s is in no class.") % {"student": row.student.full_name})
    (slip,) = class_logins_issue(actor=actor, class_group=enrolment.class_group, rows=[row])
    return slip


@transaction.atomic
def login_set_active(*, actor: User, user: User, active: bool) -> User:
    """Disable a login (sign-in refused, sessions end at their next request) or enable it again."""
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot disable your own login."))
    login_manage_check(actor, user)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        notify_login_changed(actor=actor, users=[user], change="enabled" if active else "disabled")
    return user


def _staff_roles_checked(roles: set[Role]) -> set[Role]:
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role (to end someone's access, disable the login).")})
    if not roles <= STAFF:
        raise ValidationError({"roles": _("Only the staff's roles are given here.")})
    return roles


@transaction.atomic
def staff_create(
    *,
    actor: User,
    school: School,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    phone: str = "",
    roles: set[Role],
) -> User:
    """A new member of the staff with a login made from their name and these roles in this school; no
    password yet (the administrator prints the slip, §3.3). A namesake with the same e-mail or phone already
    in the school is refused: their roles are changed instead."""
    if not rules.administers(actor):
        raise PermissionDenied(_("Only the school's administrator gives the staff's logins and roles."))
    _staff_roles_checked(roles)
    last_name, first_name, middle_name = last_name.strip(), first_name.strip(), middle_name.strip()
    try:
        phone = clean_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    namesakes = users_of_school(school).filter(
        last_name__iexact=last_name, first_name__iexact=first_name, middle_name__iexact=middle_name
    )
    same = [u for u in namesakes if same_contacts(u, phone=phone, email=email)]
    if same:
        raise ValidationError(
            _("%(name)s is already in the school (login %(login)s): change their roles instead.")
            % {"name": same[0].full_name, "login": same[0].username}
        )
    return login_create(
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=email,
        phone=phone,
        roles=tuple(r for r in Role if r in roles),
        school=school,
    )


@transaction.atomic
def staff_roles_set(*, actor: User, school: School, user: User, roles: set[Role]) -> User:
    """The staff roles ``user`` holds in this school become ``roles`` (a parent's or student's role there, and
    every role in another school, stay). The administrator never takes their own administration away."""
    if not rules.administers(actor):
        raise PermissionDenied(_("Only the school's administrator gives the staff's logins and roles."))
    _staff_roles_checked(roles)
    if user.pk == actor.pk and Role.ADMINISTRATOR in user.roles_in(school.pk) and Role.ADMINISTRATOR not in roles:
        raise ValidationError({"roles": _("You cannot take the administrator's role from yourself.")})
    user_set_roles(user=user, school=school, roles=roles, replacing=STAFF)
    return user
