"""The Act recording the breach of a login's confidentiality (§3.16, «Акт о фиксации нарушения
конфиденциальности»): every operation of the account since the report was received (or, chosen, since the
breach was noticed) listed and voided. Journal changes are reverted through their history (nothing erased,
the revert is the administrator's own history row); messages and sign-ins are listed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CompromiseReport, User
from accounts.selectors.logins import SignIn, sign_ins
from journal.services.history import Change, changes_by_user_since, changes_revert_all
from messaging.models import Message


@dataclass
class Operations:
    """What the account did from ``since`` to ``until``."""

    since: datetime.datetime
    until: datetime.datetime
    changes: list[Change] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    sign_ins: list[SignIn] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.changes) + len(self.messages) + len(self.sign_ins)


def operations_since(user: User, since: datetime.datetime, until: datetime.datetime | None = None) -> Operations:
    """The account's journal changes, messages and sign-ins from ``since`` (to ``until``, the Act's time)."""
    until = until or timezone.now()
    changes = [c for c in changes_by_user_since(user, since) if c.when <= until]
    messages = list(
        Message.objects.filter(author=user, created_at__gte=since, created_at__lte=until)
        .select_related("thread")
        .order_by("created_at")
    )
    logins = [s for s in sign_ins(user.username, since=since) if s.at <= until]
    return Operations(since, until, changes, messages, logins)


def act_since(report: CompromiseReport, from_noticed: bool) -> datetime.datetime:
    """§3.16 voids what was done from the report's receipt; the Act may reach back to when it was noticed."""
    return report.discovered_at if from_noticed else report.received_at


@transaction.atomic
def compromise_act(*, actor: User, report: CompromiseReport, from_noticed: bool = False) -> Operations:
    """Number the Act and void the operations it lists: the journal's changes reverted (all or nothing)."""
    report = CompromiseReport.objects.select_for_update().get(pk=report.pk)
    if report.act_number is not None:
        raise ValidationError(_("The act No. %(number)s is made already.") % {"number": report.act_number})
    since = act_since(report, from_noticed)
    now = timezone.now()
    operations = operations_since(report.user, since, now)
    changes_revert_all(actor=actor, user=report.user, since=since)
    last = CompromiseReport.objects.aggregate(last=Max("act_number"))["last"] or 0
    report.act_number = last + 1
    report.act_at = now
    report.act_by = actor
    report.act_since = since
    report.voided = len(operations.changes)
    report.save(update_fields=["act_number", "act_at", "act_by", "act_since", "voided"])
    return operations
