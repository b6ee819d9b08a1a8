"""What the monitoring stores of its own: who used the system on which day (one row a user a day, never a
row a request) and the deputy's control records of a course or a teacher (§3.9, §7.2). Everything else
it shows is read from the journal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UserDay(models.Model):
    """A user was in the system on a day: how many times they logged in, whether they opened a diary."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("journal.School", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    logins = models.PositiveIntegerField(_("logins"), default=0)
    opened_diary = models.BooleanField(_("opened a diary"), default=False)

    class Meta:
        verbose_name = _("day of use")
        verbose_name_plural = _("days of use")
        constraints = [models.UniqueConstraint(fields=["user", "school", "day"], name="user_day_once")]
        indexes = [models.Index(fields=["school", "day"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class ControlCheck(models.Model):
    """The deputy checked a teacher's journal, of one course or all (§3.9, §7.2): what was found and by
    when it is to be put right; the teacher is told and sees it."""

    school = models.ForeignKey("journal.School", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey("journal.AcademicYear", on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="control_checks", verbose_name=_("teacher")
    )
    course = models.ForeignKey(
        "journal.Course",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course"),
    )
    checked_on = models.DateField(_("checked on"))
    findings = models.TextField(_("findings"))
    fix_by = models.DateField(_("to be put right by"), null=True, blank=True)
    fixed_on = models.DateField(_("put right on"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("control check")
        verbose_name_plural = _("control checks")
        ordering = ("-checked_on", "-pk")
        indexes = [models.Index(fields=["school", "year", "-checked_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(fix_by__isnull=True) | Q(fix_by__gte=models.F("checked_on")), name="check_fix_after_check"
            )
        ]

    def __str__(self) -> str:
        return f"{self.checked_on:%d.%m.%Y}: {self.findings[:40]}"
