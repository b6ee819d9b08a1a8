"""Who is in which subgroup, and from when (§4.1). A membership is dated like the enrolment: moving a student
to the other group of a subject ends the old membership the day before, a transfer to another class ends
the memberships in the old class's groups and starts them in the new class's groups of the same name, a
departure ends them. History is never rewritten: an ended membership keeps its days, so the journal of the
old group still shows the student's marks of the days they were in it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import ClassGroup, Enrolment, Student, Subgroup, SubgroupMembership
from journal.selectors.membership import member_on

ONE_DAY = datetime.timedelta(days=1)


def _end(membership: SubgroupMembership, last_day: datetime.date) -> None:
    """The membership's last day is ``last_day``; one that would begin after it never held, and goes."""
    if membership.date_from is not None and membership.date_from > last_day:
        membership.delete()
        return
    membership.date_to = last_day
    membership.save(update_fields=["date_to"])


def _holding(student: Student, day: datetime.date, **where: object) -> list[SubgroupMembership]:
    return list(SubgroupMembership.objects.filter(member_on(day), student=student, **where).select_related("subgroup"))


def _later(student: Student, day: datetime.date, **where: object) -> list[SubgroupMembership]:
    return list(SubgroupMembership.objects.filter(student=student, date_from__gt=day, **where))


@transaction.atomic
def subgroup_move(*, actor: User | None, student: Student, subgroup: Subgroup, on: datetime.date) -> SubgroupMembership:
    """The student is in ``subgroup`` from ``on``: their membership in another group of the subject in the
    same class ends the day before. Being in the group already changes nothing."""
    Student.objects.select_for_update().get(pk=student.pk)
    year = subgroup.class_group.year
    if not year.start <= on <= year.end:
        raise ValidationError(
            _("%(day)s is outside the academic year %(year)s.") % {"day": on.strftime("%d.%m.%Y"), "year": year}
        )
    enrolled = Enrolment.objects.filter(
        student=student, class_group_id=subgroup.class_group_id, date_from__lte=on
    ).exclude(date_to__lt=on)
    if not enrolled.exists():
        raise ValidationError(
            _("%(student)s is not in %(class)s on %(day)s.")
            % {"student": student.short_name, "class": subgroup.class_group, "day": on.strftime("%d.%m.%Y")}
        )
    same_subject = {"subgroup__class_group_id": subgroup.class_group_id, "subgroup__subject_id": subgroup.subject_id}
    current = _holding(student, on, **same_subject)
    kept = next((m for m in current if m.subgroup_id == subgroup.pk), None)
    for membership in current:
        if membership is not kept:
            _end(membership, on - ONE_DAY)
    for membership in _later(student, on, **same_subject):
        membership.delete()  # a move planned after this day gives way to this one
    if kept is not None:
        if kept.date_to is not None:
            kept.date_to = None
            kept.save(update_fields=["date_to"])
        return kept
    membership = SubgroupMembership(subgroup=subgroup, student=student, date_from=on)
    membership.full_clean()
    membership.save()
    return membership


def memberships_end(*, student: Student, class_group: ClassGroup, last_day: datetime.date) -> None:
    """The student leaves the class after ``last_day``: so do they its groups."""
    for membership in _holding(student, last_day, subgroup__class_group=class_group):
        _end(membership, last_day)
    for membership in _later(student, last_day, subgroup__class_group=class_group):
        membership.delete()


def memberships_follow(
    *, student: Student, from_class: ClassGroup, to_class: ClassGroup, on: datetime.date
) -> list[Subgroup]:
    """A transfer to ``to_class`` from ``on``: the student's groups in ``from_class`` end the day before and
    the groups of the same subject and name in ``to_class`` take them from ``on``. Returns the old groups with
    no namesake in the new class (the class teacher places the student there)."""
    held = _holding(student, on - ONE_DAY, subgroup__class_group=from_class)
    memberships_end(student=student, class_group=from_class, last_day=on - ONE_DAY)
    targets = {(g.subject_id, g.name): g for g in Subgroup.objects.filter(class_group=to_class)}
    unplaced = []
    for membership in held:
        old = membership.subgroup
        target = targets.get((old.subject_id, old.name))
        if target is None:
            unplaced.append(old)
            continue
        if not SubgroupMembership.objects.filter(member_on(on), student=student, subgroup=target).exists():
            SubgroupMembership.objects.create(subgroup=target, student=student, date_from=on)
    return unplaced
