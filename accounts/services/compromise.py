"""A compromised login (§3.13–3.16, Appendix 1): reported online by the user or on paper through the
administrator; the account is locked the moment the report is received: sign-in refused, the password void,
every session ended (each session is signed with the password's hash, which changes)."""

from __future__ import annotations

import datetime

from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CompromiseReport, ReportSource, User


def _lock(user: User) -> None:
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    _end_sessions(user)


def _end_sessions(user: User) -> None:
    """Delete the user's sessions now (not only at their next request). Sessions are signed rows of the
    database; the live ones are read, one school's worth at most."""
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=doomed).delete()


@transaction.atomic
def compromise_report(
    *,
    user: User,
    discovered_at: datetime.datetime,
    source: str = ReportSource.ONLINE,
    received_at: datetime.datetime | None = None,
    entered_by: User | None = None,
) -> CompromiseReport:
    """Record the report and lock the account at once. ``received_at``: when the school got it (a paper
    report's time, written on it; online: now)."""
    if entered_by is not None:  # a paper report: whoever enters it locks someone else's login
        from journal import rules

        if not rules.may_manage_login(entered_by, user):
            raise PermissionDenied(
                _("Only the superuser or an administrator of each of the person's schools does that.")
            )
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + datetime.timedelta(minutes=1):
        raise ValidationError(_("The report cannot be received in the future."))
    if discovered_at > received_at:
        raise ValidationError(_("The breach cannot be noticed after the report was received."))
    User.objects.select_for_update().get(pk=user.pk)
    report = CompromiseReport.objects.create(
        user=user, source=source, discovered_at=discovered_at, received_at=received_at, entered_by=entered_by
    )
    _lock(user)
    return report
