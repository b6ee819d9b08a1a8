"""The class teacher keeps the parents' contact data current (§3.7, §4.3, §5.6): an edit records who changed
what from what; once a month the class's data is marked «проверено»; a parent's request for a correction
(§5.3.1) is closed when done."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import ClassGroup, ContactChange, ContactCheck, ContactRequest, Student

_PHONE = re.compile(r"^\+?[\d\s()\-]{10,20}$")


def phone_key(phone: str) -> str:
    """The digits two phones are compared by: «8 (900) 000-01-02» is «+7 900 000 01 02»."""
    digits = re.sub(r"\D", "", phone)
    return "7" + digits[1:] if len(digits) == 11 and digits[0] == "8" else digits


def same_contacts(user: User, *, phone: str, email: str) -> bool:
    """``user`` has this phone (compared by :func:`phone_key`) or this e-mail (in any case): the person a row or
    a form names by name and contact."""
    key = phone_key(phone)
    return bool(key and phone_key(user.phone) == key or email and user.email.lower() == email.lower())


def clean_phone(raw: str) -> str:
    """A phone as it is kept (single spaces), or the refusal of what is not a phone."""
    phone = " ".join(raw.split())
    if phone and (not _PHONE.match(phone) or not 10 <= len(re.sub(r"\D", "", phone)) <= 12):
        raise ValidationError(_("«%(value)s» is not a phone number.") % {"value": raw})
    return phone


def _clean_email(raw: str) -> str:
    email = raw.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(_("«%(value)s» is not an e-mail address.") % {"value": raw}) from None
    return email


@transaction.atomic
def contacts_update(*, actor: User, person: User, phone: str, email: str) -> list[ContactChange]:
    """Set the person's phone and e-mail, all or nothing; each changed field is recorded."""
    person = User.objects.select_for_update().get(pk=person.pk)
    new = {"phone": clean_phone(phone), "email": _clean_email(email)}
    changes = [
        ContactChange(person=person, field=name, old=getattr(person, name), new=value, changed_by=actor)
        for name, value in new.items()
        if getattr(person, name) != value
    ]
    if changes:
        for change in changes:
            setattr(person, change.field, change.new)
        person.save(update_fields=[c.field for c in changes])
        ContactChange.objects.bulk_create(changes)
    return changes


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def contacts_checked(*, actor: User, class_group: ClassGroup, day: datetime.date) -> ContactCheck:
    """«Проверено» for the month of ``day``; once a month (a second mark is the first one)."""
    month = month_of(day)
    found = ContactCheck.objects.filter(class_group=class_group, month=month).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ContactCheck.objects.create(class_group=class_group, month=month, checked_by=actor)
    except IntegrityError:
        return ContactCheck.objects.get(class_group=class_group, month=month)


@transaction.atomic
def contact_request(*, actor: User, student: Student, text: str) -> ContactRequest:
    text = " ".join(text.split())
    if not text:
        raise ValidationError(_("Write what to correct."))
    if len(text) > 500:
        raise ValidationError(_("At most 500 characters."))
    return ContactRequest.objects.create(parent=actor, student=student, text=text)


@transaction.atomic
def contact_request_resolve(*, actor: User, request: ContactRequest) -> ContactRequest:
    if request.resolved_at is None:
        request.resolved_at = timezone.now()
        request.resolved_by = actor
        request.save(update_fields=["resolved_at", "resolved_by"])
    return request
