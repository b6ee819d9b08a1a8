"""The class's split subjects and who is in which group on a day (§4.1): the subgroups page."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from journal.models import ClassGroup, Student, Subgroup, SubgroupMembership, Subject
from journal.selectors.membership import class_roster, member_on


@dataclass
class SplitSubject:
    """A subject the class learns in groups: the groups with their members on the day, and the students of
    the class in none of them (after a transfer from a class without a group of the same name)."""

    subject: Subject
    groups: list[tuple[Subgroup, list[Student]]] = field(default_factory=list)
    unplaced: list[Student] = field(default_factory=list)


def class_split_subjects(class_group: ClassGroup, day: datetime.date) -> list[SplitSubject]:
    """The class's groups by subject, with the students in each on ``day`` (three queries)."""
    students = [enrolment.student for enrolment in class_roster(class_group, day)]
    groups = list(
        Subgroup.objects.filter(class_group=class_group).select_related("subject").order_by("subject__name", "name")
    )
    members: dict[int, set[int]] = defaultdict(set)
    for subgroup_id, student_id in SubgroupMembership.objects.filter(
        member_on(day), subgroup__class_group=class_group
    ).values_list("subgroup_id", "student_id"):
        members[subgroup_id].add(student_id)
    found: dict[int, SplitSubject] = {}
    for group in groups:
        split = found.setdefault(group.subject_id, SplitSubject(group.subject))
        split.groups.append((group, [s for s in students if s.pk in members[group.pk]]))
    for split in found.values():
        placed = {s.pk for _group, own in split.groups for s in own}
        split.unplaced = [s for s in students if s.pk not in placed]
    return list(found.values())


def class_subgroup(class_group: ClassGroup, subgroup_id: int | None) -> Subgroup | None:
    """A group of the class by id (from a form), or None: another class's group is not found."""
    if subgroup_id is None:
        return None
    return Subgroup.objects.filter(class_group=class_group, pk=subgroup_id).first()
