"""Consent to personal-data processing (§1.9), per parent link: given (on a day, on paper or electronically)
or withdrawn, recorded in the register with who recorded it. Without consent the family has no electronic
diary and no e-mail, only the weekly paper printout (§8.3); a withdrawal takes effect at once (the parent's
object permissions on the child follow the link's consent)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import ConsentForm, ConsentRecord, ParentLink
from journal.permissions import sync_user_object


@transaction.atomic
def consent_give(*, actor: User | None, link: ParentLink, on: datetime.date, form: str) -> ParentLink:
    if form not in ConsentForm.values:
        raise ValidationError(_("Choose how the consent was given: on paper or electronically."))
    if on > timezone.localdate():
        raise ValidationError(_("The consent cannot be given in the future."))
    link = ParentLink.objects.select_for_update().get(pk=link.pk)
    if link.ended_at is not None:
        raise ValidationError(_("The link of this parent to the child has ended."))
    link.consent_given_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
    link.save(update_fields=["consent_given_at"])
    ConsentRecord.objects.create(link=link, given=True, on=on, form=form, recorded_by=actor)
    sync_user_object(link.parent, link.student)
    return link


@transaction.atomic
def consent_withdraw(*, actor: User | None, link: ParentLink, on: datetime.date) -> ParentLink:
    """The consent is withdrawn: the electronic diary and e-mail stop at once; the paper printout remains."""
    link = ParentLink.objects.select_for_update().get(pk=link.pk)
    if link.consent_given_at is None:
        return link
    link.consent_given_at = None
    link.wants_paper_printout = True
    link.save(update_fields=["consent_given_at", "wants_paper_printout"])
    ConsentRecord.objects.create(link=link, given=False, on=on, recorded_by=actor)
    sync_user_object(link.parent, link.student)
    return link
