"""One person in several schools (a municipality's server): a login is one person's everywhere, so a school's
administrator re-issues, disables or locks only the logins of that school alone
(``journal.rules.may_manage_login``); the superuser, or an administrator of each of the person's schools,
serves the others. A person of the administration whose password someone else issued sets up the second
step only with an enrolment code from someone other than that password's issuer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import EnrolmentCode, LoginIssue, User
from accounts.roles import Role
from accounts.services.mfa import enrolment_code_give
from accounts.services.users import user_set_roles
from journal import rules
from journal.services.structure import parent_link_create
from messaging.models import Notification, NotificationKind
from tests.accounts.test_logins_issue import _slips
from tests.conftest import World
from tests.factories import UserFactory
from tests.test_permission_matrix import BOTH_SCHOOLS, person_of_both_schools

PASSWORD = "pass-12345"  # UserFactory's
OWN_PASSWORD = "Moy-sobstvenny-parol-2026"


def _sign_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302, f"{username} did not sign in"
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _state(user: User) -> tuple[str, bool]:
    return User.objects.values_list("password", "is_active").get(pk=user.pk)


def test_the_demo_case_the_neighbouring_schools_administrator_cannot_take_over_our_administrator(
    world: World, client_for: Callable[[str], Client]
) -> None:
    """«Гимназия № 1»'s administrator teaches in «Школа № 7»: «Школа № 7»'s administrator sees him among the
    staff, but neither re-issues his password, nor disables or locks his login, here or on the admin site."""
    ours = world.users["administrator"]
    user_set_roles(user=ours, school=world.foreign_school, roles=(Role.TEACHER,))
    neighbour = client_for("foreign_admin")
    before = _state(ours)

    page = neighbour.get(reverse("journal:accounts")).content.decode()
    assert f'data-testid="not-managed-{ours.pk}"' in page and f'data-testid="reissue-{ours.pk}"' not in page
    assert neighbour.post(reverse("journal:account_reissue", args=[ours.pk])).status_code == 403
    assert neighbour.post(reverse("journal:account_active", args=[ours.pk]), {"active": "0"}).status_code == 403
    paper = neighbour.post(
        reverse("journal:compromise_list"),
        {"user": ours.pk, "discovered_at": "2026-10-05T09:00", "received_at": "2026-10-05T09:30"},
    )
    assert paper.status_code == 400 and "не только в этой школе" in paper.content.decode()
    new = {"password1": "Chuzhoy-parol-7391", "password2": "Chuzhoy-parol-7391", "usable_password": "true"}
    assert neighbour.post(reverse("admin:auth_user_password_change", args=[ours.pk]), new).status_code == 403

    assert _state(ours) == before and not LoginIssue.objects.filter(user=ours).exists()
    home = _sign_in("administrator", PASSWORD)
    assert home.get("/admin/").status_code == 200  # still his, and only his


def test_a_parent_with_children_in_two_schools_is_served_by_neither_school_alone(
    world: World, client_for: Callable[[str], Client]
) -> None:
    parent = world.users["parent"]  # the mother of 5А's child
    parent_link_create(actor=None, parent=parent, student=world.foreign_student, relation="mother", consent_given=True)
    before = _state(parent)
    admin = client_for("administrator")

    url = reverse("journal:class_accounts", args=[world.class_5a.pk])
    page = admin.get(url).content.decode()
    assert f'data-testid="not-managed-{parent.pk}"' in page
    box = page.split(f'id="p-u{parent.pk}"', 1)[1].split(">", 1)[0]
    assert "disabled" in box and "checked" not in box
    bulk = admin.post(url, {"person": [f"u{parent.pk}"]})
    assert bulk.status_code == 400 and "не только в этой школе" in bulk.content.decode()
    assert admin.post(reverse("journal:account_reissue", args=[parent.pk])).status_code == 403
    foreign = client_for("foreign_admin")
    assert foreign.post(reverse("journal:account_reissue", args=[parent.pk])).status_code == 403
    assert foreign.post(reverse("journal:account_active", args=[parent.pk])).status_code == 403
    assert _state(parent) == before

    # The superuser issues it on the administration site: a single-use password, recorded with its issuer.
    root = UserFactory(username="root", is_superuser=True)
    superuser = Client()
    superuser.force_login(root)
    changelist = reverse("admin:accounts_user_changelist")
    done = superuser.post(changelist, {"action": "issue_password", "_selected_action": [parent.pk]}, follow=True)
    issued = next(str(m).split(": ", 1)[1] for m in done.context["messages"] if str(m).startswith("parent: "))
    assert LoginIssue.objects.get(user=parent).issued_by == root
    # Both schools are told (their administrators' notifications), so neither learns it only from the parent.
    told = Notification.objects.filter(kind=NotificationKind.LOGIN_CHANGED).values_list("recipient__username", "text")
    assert sorted(name for name, _text in told) == ["administrator", "foreign_admin"]
    assert all("выдал(а) новый пароль для логина parent" in text for _name, text in told)
    client = _sign_in("parent", issued)
    assert client.get(reverse("home")).url == reverse("password_change")


def test_the_rule_and_its_list_form_agree_for_every_actor_and_person(world: World) -> None:
    both_admin = UserFactory(username="admin_of_both", school=world.school, roles=(Role.ADMINISTRATOR,))
    user_set_roles(user=both_admin, school=world.foreign_school, roles=(Role.ADMINISTRATOR,))
    root = UserFactory(username="root", is_superuser=True)
    people = [*world.users.values(), both_admin, root, *(person_of_both_schools(world, k) for k in BOTH_SCHOOLS)]
    for actor in [*world.users.values(), both_admin, root]:
        managed = rules.managed_logins(actor, [p.pk for p in people])
        assert managed == {p.pk for p in people if rules.may_manage_login(actor, p)}, actor.username

    admin = world.users["administrator"]
    assert rules.may_manage_login(admin, world.users["teacher"])
    assert not rules.may_manage_login(admin, admin)  # one's own: the password page
    assert not rules.may_manage_login(admin, root)
    assert not rules.may_manage_login(admin, world.users["foreign_teacher"])
    assert not rules.may_manage_login(world.users["deputy"], world.users["teacher"])


def test_an_issued_password_does_not_enrol_a_phone_without_a_code_from_someone_else(
    world: World, client_for: Callable[[str], Client]
) -> None:
    """The administrator re-issues the deputy's password (the deputy has no phone set up yet). Whoever signs
    in with it must set their own password first, and then cannot set up the second step without an enrolment
    code; the issuer cannot give that code, the superuser can, and it works once."""
    deputy = world.users["deputy"]
    admin = client_for("administrator")
    slip = admin.post(reverse("journal:account_reissue", args=[deputy.pk]))
    ((login, password),) = _slips(slip.content)
    with override_settings(MFA_REQUIRED=True):
        holder = _sign_in(login, password)
        assert holder.get(reverse("home")).url == reverse("password_change")  # temporary: changed at once
        holder.post(
            reverse("password_change"),
            {"old_password": password, "new_password1": OWN_PASSWORD, "new_password2": OWN_PASSWORD},
        )
        to_setup = holder.get(reverse("reports:report_index"))
        assert to_setup.url.startswith(reverse("mfa_setup"))
        page = holder.get(to_setup.url).content.decode()
        assert 'data-testid="mfa-enrolment-code"' in page

        device = TOTPDevice.objects.get(user=deputy, confirmed=False)
        refused = holder.post(reverse("mfa_setup"), {"token": _code(device)})
        assert refused.status_code == 400 and "код подключения" in refused.content.decode()

    # The issuer is refused a code (the administrator's own second step is not what is tested here).
    own = admin.post(reverse("journal:account_enrolment_code", args=[deputy.pk]), follow=True)
    assert "не выдавал" in own.content.decode() and not EnrolmentCode.objects.filter(user=deputy).exists()
    with override_settings(MFA_REQUIRED=True):
        assert holder.get(reverse("reports:report_index")).status_code == 302
        assert not TOTPDevice.objects.filter(user=deputy, confirmed=True).exists()

        # The superuser gives the code, in hand; with it the deputy's phone is set up, once.
        root = UserFactory(username="root", is_superuser=True)
        code = enrolment_code_give(actor=root, user=deputy)
        wrong = holder.post(reverse("mfa_setup"), {"token": _code(device), "enrolment_code": "AAAA-BBBB-CCCC"})
        assert wrong.status_code == 400
        done = holder.post(reverse("mfa_setup"), {"token": _code(device), "enrolment_code": code})
        assert done.status_code == 200 and len(done.context["codes"]) == 10
        assert holder.get(reverse("reports:report_index")).status_code == 200
        assert EnrolmentCode.objects.get(user=deputy).used_at is not None


def test_another_administrator_gives_the_code_on_the_staff_list(
    world: World, client_for: Callable[[str], Client]
) -> None:
    """A second administrator of the school (not the password's issuer) gives the code on the staff list: shown
    once; a code given by the issuer before the re-issue does not count."""
    deputy = world.users["deputy"]
    other = UserFactory(username="second_admin", school=world.school, roles=(Role.ADMINISTRATOR,))
    early = enrolment_code_give(actor=world.users["administrator"], user=deputy)  # before the re-issue
    slip = client_for("administrator").post(reverse("journal:account_reissue", args=[deputy.pk]))
    ((login, password),) = _slips(slip.content)
    giver = Client()
    giver.force_login(other)
    shown = giver.post(reverse("journal:account_enrolment_code", args=[deputy.pk]))
    assert shown.status_code == 200
    code = shown.content.decode().split('data-testid="enrolment-code">', 1)[1].split("<", 1)[0]

    with override_settings(MFA_REQUIRED=True):
        holder = _sign_in(login, password)
        holder.post(
            reverse("password_change"),
            {"old_password": password, "new_password1": OWN_PASSWORD, "new_password2": OWN_PASSWORD},
        )
        holder.get(reverse("mfa_setup"))
        device = TOTPDevice.objects.get(user=deputy, confirmed=False)
        assert holder.post(reverse("mfa_setup"), {"token": _code(device), "enrolment_code": early}).status_code == 400
        done = holder.post(reverse("mfa_setup"), {"token": _code(device), "enrolment_code": code})
    assert done.status_code == 200 and TOTPDevice.objects.get(user=deputy).confirmed


@pytest.mark.parametrize("persona", ["teacher", "deputy"])
def test_no_code_is_asked_without_an_issued_password_or_of_a_teacher(
    world: World, client_for: Callable[[str], Client], persona: str
) -> None:
    """A deputy who never had a password issued by someone else, and a teacher (not the administration) after
    one, set up the second step with the app's code alone."""
    user = world.users[persona]
    if persona == "teacher":
        client_for("administrator").post(reverse("journal:account_reissue", args=[user.pk]))
        user.refresh_from_db()
        user.set_password(OWN_PASSWORD)
        user.must_change_password = False
        user.save()
    client = client_for(persona)
    with override_settings(MFA_REQUIRED=True):
        page = client.get(reverse("mfa_setup")).content.decode()
    assert 'data-testid="mfa-enrolment-code"' not in page and 'data-testid="mfa-qr"' in page
    assert 'data-testid="mfa-enrolment-code"' not in client.get(reverse("mfa_setup")).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("mfa_setup"), {"token": _code(device)}).status_code == 200


def test_the_demo_login_table_says_who_keeps_the_login_of_an_administrator_of_two_schools(world: World) -> None:
    """The demo's administrator also teaches in «Школа № 7», which has no administrator of both: the login
    table says that only the superuser changes his password; an administrator of both schools would."""
    import datetime

    from demo.report import login_rows

    ours = world.users["administrator"]
    user_set_roles(user=ours, school=world.foreign_school, roles=(Role.TEACHER,))
    row = next(r for r in login_rows(world.school, world.year, datetime.date(2026, 10, 5)) if r.user == ours)
    assert "учитель" in row.who and "только суперпользователь" in row.who

    both = UserFactory(username="admin_of_both", school=world.school, roles=(Role.ADMINISTRATOR,))
    user_set_roles(user=both, school=world.foreign_school, roles=(Role.ADMINISTRATOR,))
    row = next(r for r in login_rows(world.school, world.year, datetime.date(2026, 10, 5)) if r.user == ours)
    assert "суперпользователь" not in row.who


def test_an_administrator_of_both_schools_disables_a_teacher_of_both_and_the_other_administrators_are_told(
    world: World,
) -> None:
    both = UserFactory(username="admin_of_both", school=world.school, roles=(Role.ADMINISTRATOR,))
    user_set_roles(user=both, school=world.foreign_school, roles=(Role.ADMINISTRATOR,))
    teacher = person_of_both_schools(world, "teacher_of_both")
    client = Client()
    client.force_login(both)

    response = client.post(reverse("journal:account_active", args=[teacher.pk]), {"active": "0"})

    assert response.status_code == 302 and not User.objects.get(pk=teacher.pk).is_active
    told = sorted(
        Notification.objects.filter(kind=NotificationKind.LOGIN_CHANGED).values_list("recipient__username", flat=True)
    )
    assert told == ["administrator", "foreign_admin"]
    # A person of one school alone: nobody else is told.
    client.post(reverse("journal:account_active", args=[world.users["teacher"].pk]), {"active": "0"})
    assert Notification.objects.filter(kind=NotificationKind.LOGIN_CHANGED).count() == 2
