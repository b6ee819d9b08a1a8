"""Changes to thematic plans (КТП) and to the topic and status of lessons.

The caller has authorised the actor already (views go through
``journal.access.get_plan_access`` and ``get_lesson_for_user(write=True)``);
these functions validate the data, write in one transaction and return the object.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import (
    AcademicYear,
    Course,
    Lesson,
    LessonKind,
    LessonStatus,
    PlanItem,
    Subject,
    ThematicPlan,
)
from journal.selectors.plans import next_plan_item, plan_for_course
from journal.services.guards import fresh_lesson, refuse_closed

MAX_TOPIC = 500
MAX_HOURS = 100
MAX_ITEMS = 1000
# Orders are unique per plan and the constraint is not deferred: renumbering
# first lifts every order out of the way, then sets the final ones.
_ORDER_LIFT = 1_000_000


@dataclass(frozen=True)
class ItemData:
    """One row of a plan as entered or imported."""

    topic: str
    hours: int
    kind: str = LessonKind.ORDINARY


def _clean_item(data: ItemData, row: int | None = None) -> ItemData:
    """The row stripped and checked; the message names the row (when given) and the field."""
    where = _("Row %(row)s: ") % {"row": row} if row is not None else ""
    topic = (data.topic or "").strip()
    if not topic:
        raise ValidationError(where + _("«Topic» is empty."))
    if len(topic) > MAX_TOPIC:
        raise ValidationError(where + _("«Topic» is longer than %(max)s characters.") % {"max": MAX_TOPIC})
    if not isinstance(data.hours, int) or isinstance(data.hours, bool) or not 1 <= data.hours <= MAX_HOURS:
        raise ValidationError(
            where
            + _("«Hours» must be a whole number from 1 to %(max)s, not «%(value)s».")
            % {"max": MAX_HOURS, "value": data.hours}
        )
    if data.kind not in LessonKind.values:
        raise ValidationError(where + _("«Lesson kind»: unknown kind «%(value)s».") % {"value": data.kind})
    return ItemData(topic=topic, hours=data.hours, kind=data.kind)


def _check_open(year: AcademicYear) -> None:
    if year.is_archived:
        raise ValidationError(_("The year %(year)s is archived: its plans and lessons are read-only.") % {"year": year})


# --- Plans ----------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: User | None,
    course: Course | None = None,
    year: AcademicYear | None = None,
    grade: int | None = None,
    subject: Subject | None = None,
    title: str = "",
) -> ThematicPlan:
    """A plan of one course, or (no course) the plan shared by ``grade`` for ``subject`` in ``year``."""
    if course is not None:
        if ThematicPlan.objects.filter(course=course).exists():
            raise ValidationError(_("The course %(course)s already has its own plan.") % {"course": course})
        year, grade, subject = course.class_group.year, course.class_group.grade, course.subject
    elif year is None or grade is None or subject is None:
        raise ValidationError(_("A shared plan needs the year, the grade and the subject."))
    elif ThematicPlan.objects.filter(year=year, grade=grade, subject=subject, course__isnull=True).exists():
        raise ValidationError(
            _("Grade %(grade)s already has a shared plan for %(subject)s.") % {"grade": grade, "subject": subject}
        )
    _check_open(year)
    plan = ThematicPlan(year=year, grade=grade, subject=subject, course=course, title=title.strip(), author=actor)
    plan.full_clean(exclude=["author"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # a concurrent request created it first
        raise ValidationError(_("This plan has just been created by someone else: reload the page.")) from exc
    return plan


def _touch(plan: ThematicPlan) -> None:
    plan.save(update_fields=["updated_at"])


def _lock(plan: ThematicPlan) -> ThematicPlan:
    """Serialise edits of one plan (item orders are renumbered as a whole); refuse an archived year's."""
    locked = ThematicPlan.objects.select_for_update(of=("self",)).order_by().select_related("year").get(pk=plan.pk)
    _check_open(locked.year)
    return locked


def _renumber(plan: ThematicPlan, item_ids: Sequence[int]) -> None:
    PlanItem.objects.filter(plan=plan).update(order=F("order") + _ORDER_LIFT)
    items = [PlanItem(pk=pk, order=number) for number, pk in enumerate(item_ids, start=1)]
    PlanItem.objects.bulk_update(items, ["order"])


def _ids_in_order(plan: ThematicPlan) -> list[int]:
    return list(PlanItem.objects.filter(plan=plan).order_by("order").values_list("pk", flat=True))


@transaction.atomic
def plan_item_add(
    *,
    actor: User | None,
    plan: ThematicPlan,
    topic: str,
    hours: int = 1,
    kind: str = LessonKind.ORDINARY,
    position: int | None = None,
) -> PlanItem:
    """Add a row at the end, or at ``position`` (1-based), shifting the rows after it down."""
    data = _clean_item(ItemData(topic=topic, hours=hours, kind=kind))
    plan = _lock(plan)
    ids = _ids_in_order(plan)
    if len(ids) >= MAX_ITEMS:
        raise ValidationError(_("A plan holds at most %(max)s rows.") % {"max": MAX_ITEMS})
    last = PlanItem.objects.filter(plan=plan).aggregate(last=Max("order"))["last"] or 0
    item = PlanItem.objects.create(plan=plan, order=last + 1, **data.__dict__)
    if position is not None and 1 <= position <= len(ids):
        ids.insert(position - 1, item.pk)
    else:
        ids.append(item.pk)
    _renumber(plan, ids)
    _touch(plan)
    item.refresh_from_db(fields=["order"])
    return item


@transaction.atomic
def plan_item_update(
    *, actor: User | None, item: PlanItem, topic: str, hours: int, kind: str = LessonKind.ORDINARY
) -> PlanItem:
    data = _clean_item(ItemData(topic=topic, hours=hours, kind=kind))
    _lock(item.plan)
    item.topic, item.hours, item.kind = data.topic, data.hours, data.kind
    item.save(update_fields=["topic", "hours", "kind"])
    _touch(item.plan)
    return item


@transaction.atomic
def plan_item_delete(*, actor: User | None, item: PlanItem) -> ThematicPlan:
    """Remove a row; the rows after it move up. Lessons linked to it keep their topic."""
    plan = _lock(item.plan)
    item.delete()
    _renumber(plan, _ids_in_order(plan))
    _touch(plan)
    return plan


@transaction.atomic
def plan_item_reorder(*, actor: User | None, plan: ThematicPlan, item_ids: Sequence[int]) -> ThematicPlan:
    """Put the rows in the order of ``item_ids``, which must name every row of the plan once."""
    plan = _lock(plan)
    current = _ids_in_order(plan)
    if sorted(item_ids) != sorted(current):
        raise ValidationError(_("The plan has changed meanwhile: reload the page and try again."))
    _renumber(plan, list(item_ids))
    _touch(plan)
    return plan


@transaction.atomic
def plan_item_move(*, actor: User | None, item: PlanItem, by: int) -> ThematicPlan:
    """Move a row up (``by`` < 0) or down; at either end it stays."""
    ids = _ids_in_order(item.plan)
    index = ids.index(item.pk)
    target = min(max(index + by, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    return plan_item_reorder(actor=actor, plan=item.plan, item_ids=ids)


@transaction.atomic
def plan_replace_items(
    *,
    actor: User | None,
    rows: Sequence[ItemData],
    plan: ThematicPlan | None = None,
    course: Course | None = None,
) -> ThematicPlan:
    """Make the plan's rows exactly ``rows``, all or nothing (the import's confirm step).

    No ``plan``: the course's own plan is created for them. Rows keep their
    identity by position: row N of the new list updates row N of the plan, so
    held lessons linked to it stay linked (and count as taught). Rows beyond
    the new list are deleted; their lessons keep the topic text.
    """
    cleaned = [_clean_item(row, number) for number, row in enumerate(rows, start=1)]
    if not cleaned:
        raise ValidationError(_("The new plan has no rows."))
    if len(cleaned) > MAX_ITEMS:
        raise ValidationError(_("A plan holds at most %(max)s rows.") % {"max": MAX_ITEMS})
    if plan is None:
        if course is None:
            raise ValueError("plan_replace_items needs a plan or a course")
        plan = plan_create(actor=actor, course=course)
    plan = _lock(plan)
    existing = list(PlanItem.objects.filter(plan=plan).order_by("order"))
    kept, surplus = existing[: len(cleaned)], existing[len(cleaned) :]
    if surplus:
        PlanItem.objects.filter(pk__in=[item.pk for item in surplus]).delete()
    PlanItem.objects.filter(plan=plan).update(order=F("order") + _ORDER_LIFT)
    for number, (item, row) in enumerate(zip(kept, cleaned, strict=False), start=1):
        item.order, item.topic, item.hours, item.kind = number, row.topic, row.hours, row.kind
    PlanItem.objects.bulk_update(kept, ["order", "topic", "hours", "kind"])
    PlanItem.objects.bulk_create(
        [
            PlanItem(plan=plan, order=number, topic=row.topic, hours=row.hours, kind=row.kind)
            for number, row in enumerate(cleaned[len(kept) :], start=len(kept) + 1)
        ]
    )
    _touch(plan)
    return plan


@transaction.atomic
def plan_copy_from(
    *,
    actor: User | None,
    source: ThematicPlan,
    target: ThematicPlan | None = None,
    course: Course | None = None,
) -> ThematicPlan:
    """Replace the rows of ``target`` (no target: a new own plan of ``course``) with copies
    of the rows of ``source``: another course's plan, a shared plan, last year's plan."""
    if target is not None and source.pk == target.pk:
        raise ValidationError(_("A plan cannot be copied onto itself."))
    rows = [
        ItemData(topic=item.topic, hours=item.hours, kind=item.kind)
        for item in PlanItem.objects.filter(plan=source).order_by("order")
    ]
    if not rows:
        raise ValidationError(_("The plan %(plan)s has no rows to copy.") % {"plan": source})
    return plan_replace_items(actor=actor, plan=target, course=course, rows=rows)


# --- Lessons: topic and status --------------------------------------------------------


def _locked_lesson(lesson: Lesson) -> Lesson:
    # Locking the course serialises the "next item" choice of two lessons held at once.
    list(Course.objects.select_for_update().filter(pk=lesson.course_id).order_by().values_list("pk"))
    locked = (
        Lesson.objects.select_for_update(of=("self",))
        .select_related("course__class_group__year", "plan_item")
        .get(pk=lesson.pk)
    )
    _check_open(locked.course.class_group.year)
    return locked


@transaction.atomic
def lesson_hold(*, actor: User | None, lesson: Lesson) -> Lesson:
    """Mark the lesson held by ``actor``. A lesson without a topic takes the next plan
    item's topic, kind and link: the first item whose hours the course's held
    lessons have not used up. Holding a held lesson changes nothing."""
    lesson = _locked_lesson(lesson)
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(_("The lesson is cancelled: restore it before marking it held."))
    if lesson.status == LessonStatus.HELD:
        return lesson
    fields = ["status", "teacher"]
    if not lesson.topic:
        item = lesson.plan_item or next_plan_item(lesson.course, plan_for_course(lesson.course))
        if item is not None:
            lesson.topic, lesson.plan_item, lesson.kind = item.topic, item, item.kind
            fields += ["topic", "plan_item", "kind"]
    lesson.status = LessonStatus.HELD
    lesson.teacher = actor or lesson.teacher
    lesson.save(update_fields=fields)
    return lesson


@transaction.atomic
def lesson_attendance_taken(*, actor: User | None, lesson: Lesson) -> Lesson:
    """The teacher took the lesson's attendance and everyone not marked absent or late was present; the first
    time it was said is kept. Saying it twice changes nothing."""
    lesson = _locked_lesson(lesson)
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(_("The lesson is cancelled: there is no attendance to take."))
    if lesson.attendance_taken_at is None:
        lesson.attendance_taken_at = timezone.now()
        lesson.save(update_fields=["attendance_taken_at"])
    return lesson


@transaction.atomic
def lesson_unhold(*, actor: User | None, lesson: Lesson) -> Lesson:
    """Back to planned (marked held by mistake); the topic and plan item stay as entered.

    A planned lesson does not use up its plan item's hours, so the item is
    offered again to the next lesson held without a topic.
    """
    lesson = _locked_lesson(lesson)
    if lesson.status != LessonStatus.HELD:
        return lesson
    lesson.status = LessonStatus.PLANNED
    lesson.save(update_fields=["status"])
    return lesson


@transaction.atomic
def lesson_set_topic(
    *,
    actor: User | None,
    lesson: Lesson,
    topic: str,
    plan_item: PlanItem | None = None,
    kind: str | None = None,
) -> Lesson:
    """The teacher sets the topic, and optionally links another item of the course's plan.

    An empty topic with an item takes the item's topic; the kind defaults to the item's.
    """
    lesson = _locked_lesson(lesson)
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(_("The lesson is cancelled: its topic cannot be changed."))
    topic = (topic or "").strip()
    if plan_item is not None:
        plan = plan_for_course(lesson.course)
        if plan is None or plan_item.plan_id != plan.pk:
            raise ValidationError(_("The chosen item is not in this course's thematic plan."))
        topic = topic or plan_item.topic
        kind = kind or plan_item.kind
    if not topic:
        raise ValidationError(_("Enter the topic of the lesson."))
    if len(topic) > MAX_TOPIC:
        raise ValidationError(_("The topic is longer than %(max)s characters.") % {"max": MAX_TOPIC})
    if kind is not None and kind not in LessonKind.values:
        raise ValidationError(_("Unknown lesson kind «%(value)s».") % {"value": kind})
    lesson.topic = topic
    lesson.plan_item = plan_item
    if kind is not None:
        lesson.kind = kind
    lesson.save(update_fields=["topic", "plan_item", "kind"])
    return lesson


@transaction.atomic
def lesson_set_results_on(*, actor: User, lesson: Lesson, results_on: datetime.date | None) -> Lesson:
    """The day a test's results were given to the class (``None`` clears it).

    From then on its marks are due ``late_days_test`` days after that day (§4.4,
    ``journal.services.marks.late_deadline``); marks entered before keep their flag.
    """
    lesson = _locked_lesson(lesson)
    if lesson.kind != LessonKind.TEST:
        raise ValidationError(_("Only a test (контрольная) has a date its results were given."))
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(_("The lesson is cancelled: it has no results."))
    if results_on is not None:
        if results_on < lesson.date:
            raise ValidationError(
                _("The results cannot be given on %(day)s, before the test of %(date)s.")
                % {"day": results_on.strftime("%d.%m.%Y"), "date": lesson.date.strftime("%d.%m.%Y")}
            )
        if results_on > timezone.localdate():
            raise ValidationError(
                _("The results date %(day)s is in the future: set it on the day they are given.")
                % {"day": results_on.strftime("%d.%m.%Y")}
            )
    refuse_closed(fresh_lesson(lesson))
    if lesson.results_on == results_on:
        return lesson
    lesson.results_on = results_on
    lesson._history_user = actor  # type: ignore[attr-defined]
    lesson.save(update_fields=["results_on"])
    return lesson


@dataclass(frozen=True)
class PlansCopied:
    made: int  # plans copied now
    kept: int  # plans the new year had already (left as they are)


@transaction.atomic
def plans_copy_year(*, actor: User | None, source: AcademicYear, target: AcademicYear) -> PlansCopied:
    """Every thematic plan of ``source`` copied into ``target`` once (§4.4, the new-year wizard): a grade's
    shared plan to the same grade's shared plan; a course's own plan to the course of the same grade,
    letter, subject and subgroup (the plan of last year's 6А maths goes to this year's 6А maths, which
    teaches the same grade's programme). A plan the new year has already is kept: copying twice changes
    nothing."""
    _check_open(target)
    made = kept = 0
    shared_there = set(ThematicPlan.objects.filter(year=target, course__isnull=True).values_list("grade", "subject_id"))
    courses = {
        (c.class_group.grade, c.class_group.letter, c.subject_id, c.subgroup.name if c.subgroup else ""): c
        for c in Course.objects.filter(class_group__year=target).select_related("class_group", "subgroup")
    }
    with_own = set(ThematicPlan.objects.filter(year=target, course__isnull=False).values_list("course_id", flat=True))
    sources = (
        ThematicPlan.objects.filter(year=source)
        .select_related("subject", "course__class_group", "course__subgroup")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("order")))
        .order_by("grade", "subject__name", "pk")
    )
    for plan in sources:
        rows = [ItemData(topic=item.topic, hours=item.hours, kind=item.kind) for item in plan.items.all()]
        if not rows:
            continue
        if plan.course is None:
            if (plan.grade, plan.subject_id) in shared_there:
                kept += 1
                continue
            new = plan_create(actor=actor, year=target, grade=plan.grade, subject=plan.subject, title=plan.title)
            plan_replace_items(actor=actor, plan=new, rows=rows)
            shared_there.add((plan.grade, plan.subject_id))
            made += 1
            continue
        old = plan.course
        course = courses.get(
            (old.class_group.grade, old.class_group.letter, old.subject_id, old.subgroup.name if old.subgroup else "")
        )
        if course is None:
            continue
        if course.pk in with_own:
            kept += 1
            continue
        plan_replace_items(actor=actor, course=course, rows=rows)
        with_own.add(course.pk)
        made += 1
    return PlansCopied(made=made, kept=kept)
