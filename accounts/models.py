from __future__ import annotations

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
    """A person who logs in. Knows nothing of schools; journal links them."""

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

    @cached_property
    def roles(self) -> frozenset[Role]:
        names = {g.name for g in self.groups.all()}
        return frozenset(r for r in Role if r.value in names)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


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
