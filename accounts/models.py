from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


def _normalize_login(raw: str) -> str:
    from accounts.services.logins import normalize_login

    return normalize_login(raw)


class LoginManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        """Sign-in looks the login up in its one written form (:func:`accounts.services.logins.normalize_login`)."""
        return self.get(**{self.model.USERNAME_FIELD: _normalize_login(username or "")})


class User(AbstractUser):
    """A person who logs in. Its schools and the roles held in each are the journal's (``SchoolMembership``)."""

    objects: ClassVar[LoginManager] = LoginManager()  # type: ignore[assignment]

    middle_name = models.CharField(_("middle name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The interface language the user chose (the switch in the page's footer); empty: the school's
    # default, Russian, whatever the browser asks for (accounts.middleware.LanguageMiddleware).
    language = models.CharField(_("interface language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when the administrator issues a password; cleared when the user sets their own."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("last_name", "first_name", "middle_name", "username")

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def normalize_username(cls, username: str) -> str:
        return _normalize_login(username)

    def save(self, *args: object, **kwargs: object) -> None:
        self.username = _normalize_login(self.username)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        """«Иванова А. П.», as the journal prints teachers."""
        initials = "".join(f"{p[0]}. " for p in (self.first_name, self.middle_name) if p).strip()
        return f"{self.last_name} {initials}".strip() or self.username

    # The school this user is acting in: the request's (``journal.middleware.CurrentSchoolMiddleware`` sets it).
    acting_school_id: int | None = None

    @cached_property
    def roles_by_school(self) -> dict[int, frozenset[Role]]:
        """The roles held in each school (``journal.MembershipRole``), read once: one query."""
        held: dict[int, set[Role]] = {}
        for school_id, role in self.memberships.filter(roles__isnull=False).values_list("school_id", "roles__role"):
            held.setdefault(school_id, set()).add(Role(role))
        return {school_id: frozenset(roles) for school_id, roles in held.items()}

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that apply now: those held in the acting school. Outside a request (a task, a command)
        with no school set, those of every school the person belongs to."""
        by_school = self.roles_by_school
        if self.acting_school_id is not None:
            return by_school.get(self.acting_school_id, frozenset())
        return frozenset().union(*by_school.values())

    @property
    def role_list(self) -> list[Role]:
        """The roles that apply, in the order of :class:`Role` (a page lists them the same way each time)."""
        held = self.roles
        return [r for r in Role if r in held]

    def roles_read_in(self, school_id: int, roles: Iterable[Role]) -> None:
        """Act in ``school_id`` with ``roles`` read there by a list's one query (``with_school_roles``): no query of
        its own; the person's roles elsewhere are then unknown to this object."""
        self.acting_school_id = school_id
        self.__dict__["roles_by_school"] = {school_id: frozenset(roles)}

    def roles_in(self, school_id: int | None) -> frozenset[Role]:
        return self.roles_by_school.get(school_id, frozenset()) if school_id is not None else frozenset()

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def has_role_anywhere(self, *roles: Role) -> bool:
        """Holds one of the roles in some school (the second factor guards the whole session, §3.15)."""
        return any(held.intersection(roles) for held in self.roles_by_school.values())


class LoginIssue(models.Model):
    """A login issued with a single-use password (§3.3, the slip of Appendix 2): to whom, by whom, when, and
    whether it replaced an earlier one. The password itself is never recorded."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_issues", verbose_name=_("user"))
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True, db_index=True)
    reissue = models.BooleanField(_("re-issued"), default=False)

    class Meta:
        verbose_name = _("issued login")
        verbose_name_plural = _("issued logins")
        ordering = ("-issued_at", "-pk")

    def __str__(self) -> str:
        return f"{self.user.username} {self.issued_at:%d.%m.%Y %H:%M}"


class ReportSource(models.TextChoices):
    ONLINE = "online", _("online, by the user")
    PAPER = "paper", _("on paper (Appendix 1)")


class CompromiseReport(models.Model):
    """«Мой вход скомпрометирован» (§3.15, Appendix 1): the account is locked the moment the report is
    received; the director's Act (§3.16) then lists what was done with the account since and voids it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="compromise_reports", verbose_name=_("user"))
    source = models.CharField(_("reported"), max_length=8, choices=ReportSource.choices)
    discovered_at = models.DateTimeField(_("breach noticed at"))
    received_at = models.DateTimeField(_("report received at"))
    entered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("entered by")
    )
    act_number = models.PositiveIntegerField(_("act number"), null=True, blank=True, unique=True)
    act_at = models.DateTimeField(_("act made at"), null=True, blank=True)
    act_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("act made by")
    )
    act_since = models.DateTimeField(_("operations void since"), null=True, blank=True)
    voided = models.PositiveIntegerField(_("operations voided"), default=0)

    class Meta:
        verbose_name = _("compromise report")
        verbose_name_plural = _("compromise reports")
        ordering = ("-received_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discovered_at__lte=models.F("received_at")), name="compromise_noticed_before_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username} {self.received_at:%d.%m.%Y %H:%M}"

    @property
    def late(self) -> bool:
        """Reported later than the hour §3.15 gives."""
        return (self.received_at - self.discovered_at).total_seconds() > 3600


class EnrolmentCode(models.Model):
    """A one-time code that lets a person of the administration set up their second factor after a password
    someone else issued them (``journal.rules.needs_enrolment_code``). It is given by someone who did not
    issue that password (the superuser, or another administrator of one of the person's schools) and handed
    to the person themselves: whoever issued the password cannot enrol a phone on the login alone. Stored
    hashed; used once; void after ``ENROLMENT_CODE_DAYS`` or when a new one is given."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes", verbose_name=_("user"))
    code_hash = models.CharField(_("code (hashed)"), max_length=64)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("given by")
    )
    issued_at = models.DateTimeField(_("given at"), auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("second-factor enrolment code")
        verbose_name_plural = _("second-factor enrolment codes")
        ordering = ("-issued_at", "-pk")

    def __str__(self) -> str:
        return f"{self.user.username} {self.issued_at:%d.%m.%Y %H:%M}"
