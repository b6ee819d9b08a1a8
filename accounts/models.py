from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class User(AbstractUser):
    """A person who logs in. Knows nothing of schools; journal links them."""

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
