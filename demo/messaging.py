"""The demo school's messages: parents' conversations with teachers, class announcements, notifications.

Called once by :class:`demo.builder.DemoSchoolBuilder` after the marks. Everything is
bulk-inserted (no e-mail is sent); a school that already has threads or notifications is left as it is,
so a second run changes nothing. Its own ``random.Random`` keeps the rest of the demo's draw unchanged.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation

from demo.marks import own_timestamps
from journal.models import (
    AcademicYear,
    Attendance,
    AttendanceReason,
    AttendanceStatus,
    ClassGroup,
    Course,
    Enrolment,
    FinalMark,
    Mark,
    ParentLink,
    School,
    TeachingAssignment,
)
from journal.models.marks import FinalMarkKind
from journal.permissions import open_assignments
from journal.selectors.membership import enrolled_on
from messaging.models import (
    Message,
    Notification,
    NotificationAudience,
    NotificationKind,
    Participant,
    Thread,
    ThreadKind,
)
from messaging.services.notifications import LOW_MARKS, absence_text, final_mark_text, low_mark_text

BATCH = 2000
THREADS = 36
ANNOUNCING_CLASSES = 8
RECENT_DAYS = 21
READ_AFTER_DAYS = 7

# (parent's question, teacher's answer, parent's thanks or None)
CONVERSATIONS = [
    (
        "Контрольная работа",
        "Добрый день! {child} болел в день контрольной. Можно написать её позже?",
        "Здравствуйте! Да, в четверг после шестого урока, кабинет {room}.",
        "Спасибо, передам.",
    ),
    (
        "Домашнее задание",
        "Здравствуйте! Подскажите, пожалуйста, что задано на понедельник — {child} не записал.",
        "Добрый вечер! Задание есть в дневнике: параграф 12, упражнения 3–5.",
        None,
    ),
    (
        "Отметка за урок",
        "Добрый день! Почему у {child} двойка за вчерашний урок?",
        "Здравствуйте! Не было домашней работы. Можно исправить, сдав её до пятницы.",
        "Понятно, спасибо.",
    ),
    (
        "Пропуск занятий",
        "Здравствуйте! {child} завтра не будет в школе — запись к врачу. Справку принесём.",
        "Хорошо, спасибо, что предупредили.",
        None,
    ),
    (
        "Олимпиада",
        "Добрый день! {child} хотел бы участвовать в школьной олимпиаде. Как записаться?",
        "Здравствуйте! Запись у меня до конца недели, подойдите на перемене.",
        "Спасибо!",
    ),
    (
        "Учебник",
        "Здравствуйте! {child} потерял учебник. Можно ли получить новый в библиотеке?",
        "Добрый день! Да, обратитесь в библиотеку, там выдадут замену.",
        None,
    ),
]
ANNOUNCEMENTS = [
    (
        "Родительское собрание",
        "Уважаемые родители! Родительское собрание состоится в пятницу в 18:00 в кабинете "
        "{room}. Тема: итоги первой четверти и планы на вторую.",
    ),
    (
        "Экскурсия",
        "Уважаемые родители! В следующую среду класс едет на экскурсию в краеведческий музей. "
        "Сбор в 9:00 у школы, вернёмся к 14:00. Стоимость — 350 рублей.",
    ),
    ("Сменная обувь", "Напоминаю, что со следующей недели вход в школу только в сменной обуви."),
]


@dataclass
class MessagingStats:
    threads: int = 0
    messages: int = 0
    announcements: int = 0
    notifications: int = 0


class DemoMessaging:
    def __init__(self, *, school: School, year: AcademicYear, today: datetime.date, seed: int = 5) -> None:
        self.school = school
        self.year = year
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.tz = timezone.get_current_timezone()
        self.stats = MessagingStats()

    def _at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def _days_ago(self, days: int) -> datetime.date:
        return max(self.year.start, self.today - datetime.timedelta(days=days))

    def build(self) -> MessagingStats:
        has_threads = Thread.objects.filter(school=self.school).exists()
        has_notifications = Notification.objects.filter(student__school=self.school).exists()
        with translation.override(settings.LANGUAGE_CODE):
            if not has_threads:
                self._conversations()
                self._announcements()
            if not has_notifications:
                self._notifications()
        return self.stats

    # -- conversations ----------------------------------------------------------------------------------

    def _families(self) -> list[tuple[int, int, int, str]]:
        """(parent, child, class, child's first name) for children enrolled today."""
        enrolled = dict(
            Enrolment.objects.filter(enrolled_on(self.today), class_group__year=self.year).values_list(
                "student_id", "class_group_id"
            )
        )
        rows = ParentLink.objects.filter(ended_at__isnull=True, student__school=self.school).order_by("pk")
        return [
            (link.parent_id, link.student_id, enrolled[link.student_id], link.student.first_name)
            for link in rows.select_related("student")
            if link.student_id in enrolled
        ]

    def _teachers_by_class(self) -> dict[int, list[int]]:
        teachers: dict[int, list[int]] = defaultdict(list)
        rows = TeachingAssignment.objects.filter(open_assignments(self.today), course__class_group__year=self.year)
        for class_id, teacher_id in rows.values_list("course__class_group_id", "teacher_id").distinct():
            teachers[class_id].append(teacher_id)
        for class_id in teachers:
            teachers[class_id].sort()
        return teachers

    def _conversations(self) -> None:
        families = self._families()
        if not families:
            return
        teachers = self._teachers_by_class()
        class_teachers = dict(
            ClassGroup.objects.filter(year=self.year, class_teacher__isnull=False).values_list("pk", "class_teacher_id")
        )
        rooms = dict(ClassGroup.objects.filter(year=self.year).values_list("pk", "home_room__name"))
        # The demo's own «parent» talks to «teacher» and «classteacher» first (the login table's accounts).
        named = {
            u: pk
            for u, pk in self.school.memberships.filter(
                user__username__in=["parent", "teacher", "classteacher"]
            ).values_list("user__username", "user_id")
        }
        picks: list[tuple[int, int, int, str, int]] = []
        for parent, child, class_id, first_name in families:
            if parent == named.get("parent"):
                picks.extend(
                    (parent, child, class_id, first_name, named[login])
                    for login in ("teacher", "classteacher")
                    if login in named
                )
        others = [f for f in families if f[0] != named.get("parent")]
        for parent, child, class_id, first_name in self.rng.sample(others, min(THREADS, len(others))):
            options = list(teachers.get(class_id, []))
            if class_id in class_teachers:
                options.append(class_teachers[class_id])
            if options:
                picks.append((parent, child, class_id, first_name, self.rng.choice(options)))

        threads, plans = [], []
        for n, (parent, child, class_id, first_name, teacher) in enumerate(picks):
            subject, question, answer, thanks = CONVERSATIONS[n % len(CONVERSATIONS)]
            start = self._at(self._days_ago(self.rng.randint(1, RECENT_DAYS)), self.rng.randint(8, 20))
            texts = [(parent, question), (teacher, answer)]
            if thanks:
                texts.append((parent, thanks))
            room = rooms.get(class_id) or "12"
            timeline = []
            at = start
            for author, text in texts:
                timeline.append((author, text.format(child=first_name, room=room), at))
                at += datetime.timedelta(minutes=self.rng.randint(20, 600))
            threads.append(
                Thread(
                    school=self.school,
                    kind=ThreadKind.DIRECT,
                    subject=subject,
                    about_student_id=child,
                    created_by_id=parent,
                    created_at=start,
                    last_message_at=timeline[-1][2],
                )
            )
            plans.append((parent, teacher, timeline, n))
        with own_timestamps(Thread, "created_at"):
            Thread.objects.bulk_create(threads, batch_size=BATCH)
        messages, participants = [], []
        for thread, (parent, teacher, timeline, n) in zip(threads, plans, strict=True):
            for author, text, at in timeline:
                messages.append(Message(thread=thread, author_id=author, text=text, created_at=at))
            last_author, _text, last_at = timeline[-1]
            # Every third conversation has news the reader has not opened yet.
            unread = n % 3 == 0
            for user in (parent, teacher):
                if user == last_author or not unread:
                    read = last_at
                else:
                    read = timeline[-2][2]
                participants.append(Participant(thread=thread, user_id=user, last_read_at=read))
        with own_timestamps(Message, "created_at"):
            Message.objects.bulk_create(messages, batch_size=BATCH)
        Participant.objects.bulk_create(participants, batch_size=BATCH)
        self.stats.threads += len(threads)
        self.stats.messages += len(messages)

    # -- announcements ------------------------------------------------------------------------------------

    def _announcements(self) -> None:
        classes = list(
            ClassGroup.objects.filter(year=self.year, class_teacher__isnull=False)
            .select_related("home_room")
            .order_by("grade", "letter")
        )
        if not classes:
            return
        chosen = sorted(
            self.rng.sample(classes, min(ANNOUNCING_CLASSES, len(classes))), key=lambda c: (c.grade, c.letter)
        )
        named = ClassGroup.objects.filter(year=self.year, class_teacher__username="classteacher").first()
        if named is not None and named not in chosen:
            chosen.insert(0, named)
        parents: dict[int, set[int]] = defaultdict(set)
        enrolled = Enrolment.objects.filter(enrolled_on(self.today), class_group__in=chosen)
        links = ParentLink.objects.filter(ended_at__isnull=True, student_id__in=enrolled.values("student_id"))
        student_class = dict(enrolled.values_list("student_id", "class_group_id"))
        for parent_id, student_id in links.values_list("parent_id", "student_id"):
            parents[student_class[student_id]].add(parent_id)
        threads, plans = [], []
        for class_group in chosen:
            if not parents[class_group.pk]:
                continue
            for k, (subject, text) in enumerate(ANNOUNCEMENTS[: 1 + self.rng.randint(0, 1)]):
                at = self._at(self._days_ago(3 + 7 * k + self.rng.randint(0, 3)), 17, 30)
                threads.append(
                    Thread(
                        school=self.school,
                        kind=ThreadKind.ANNOUNCEMENT,
                        subject=subject,
                        class_group=class_group,
                        created_by_id=class_group.class_teacher_id,
                        created_at=at,
                        last_message_at=at,
                    )
                )
                room = class_group.home_room.name if class_group.home_room else "12"
                plans.append((class_group, text.format(room=room), at, k))
        with own_timestamps(Thread, "created_at"):
            Thread.objects.bulk_create(threads, batch_size=BATCH)
        messages, participants = [], []
        for thread, (class_group, text, at, k) in zip(threads, plans, strict=True):
            messages.append(Message(thread=thread, author_id=class_group.class_teacher_id, text=text, created_at=at))
            participants.append(Participant(thread=thread, user_id=class_group.class_teacher_id, last_read_at=at))
            for parent in sorted(parents[class_group.pk] - {class_group.class_teacher_id}):
                # The latest announcement is still unread by about half of the parents.
                read = None if k == 0 and self.rng.random() < 0.5 else at
                participants.append(Participant(thread=thread, user_id=parent, last_read_at=read))
        with own_timestamps(Message, "created_at"):
            Message.objects.bulk_create(messages, batch_size=BATCH)
        Participant.objects.bulk_create(participants, batch_size=BATCH)
        self.stats.announcements += len(threads)
        self.stats.messages += len(messages)

    # -- notifications ---------------------------------------------------------------------------------------

    def _notifications(self) -> None:
        """The parents' notifications of the recent low marks, unexcused absences and the first period's
        marks, and the class teachers' of the low marks and absences in their classes (§4.4), with the
        texts the services write."""
        parents: dict[int, list[int]] = defaultdict(list)
        for parent_id, student_id in ParentLink.objects.filter(
            ended_at__isnull=True, student__school=self.school
        ).values_list("parent_id", "student_id"):
            parents[student_id].append(parent_id)
        class_teacher = dict(
            ClassGroup.objects.filter(year=self.year, class_teacher__isnull=False).values_list("pk", "class_teacher_id")
        )
        since = self._days_ago(RECENT_DAYS)
        read_before = self._at(self.today - datetime.timedelta(days=READ_AFTER_DAYS), 0)
        rows: list[Notification] = []

        def add(
            student_id: int,
            kind: str,
            text: str,
            course: Course,
            day: datetime.date | None,
            at: datetime.datetime,
            author_id: int | None = None,
        ) -> None:
            told = [(parent, NotificationAudience.PARENT) for parent in parents.get(student_id, [])]
            teacher = class_teacher.get(course.class_group_id) if author_id is not None else None
            if teacher is not None and teacher != author_id:
                told.append((teacher, NotificationAudience.CLASS_TEACHER))
            rows.extend(
                Notification(
                    recipient_id=recipient,
                    student_id=student_id,
                    kind=kind,
                    audience=audience,
                    text=text,
                    course_id=course.pk,
                    day=day,
                    created_at=at,
                    read_at=at if at < read_before else None,
                )
                for recipient, audience in told
            )

        marks = (
            Mark.objects.filter(
                lesson__course__class_group__year=self.year, lesson__date__gte=since, value__in=sorted(LOW_MARKS)
            )
            .select_related("student", "lesson__course__subject")
            .order_by("created_at", "pk")
        )
        for mark in marks:
            lesson = mark.lesson
            text = low_mark_text(mark.student, mark.value, lesson.course.subject.name, lesson.date)
            add(
                mark.student_id,
                NotificationKind.LOW_MARK,
                text,
                lesson.course,
                lesson.date,
                mark.created_at,
                mark.author_id,
            )
        absences = (
            Attendance.objects.filter(
                lesson__course__class_group__year=self.year,
                lesson__date__gte=since,
                status=AttendanceStatus.ABSENT,
                reason=AttendanceReason.UNEXCUSED,
            )
            .select_related("student", "lesson__course__subject")
            .order_by("updated_at", "pk")
        )
        for row in absences:
            lesson = row.lesson
            text = absence_text(row.student, lesson.course.subject.name, lesson.date, lesson.slot)
            add(
                row.student_id,
                NotificationKind.UNEXCUSED_ABSENCE,
                text,
                lesson.course,
                lesson.date,
                row.updated_at,
                row.author_id,
            )
        finals = (
            FinalMark.objects.filter(
                course__class_group__year=self.year,
                kind__in=[FinalMarkKind.QUARTER, FinalMarkKind.HALF_YEAR],
                period__number=1,
            )
            .select_related("student", "course__subject", "period")
            .order_by("updated_at", "pk")
        )
        for final in finals:
            text = final_mark_text(final, final.course.subject.name)
            add(final.student_id, NotificationKind.FINAL_MARK, text, final.course, None, final.updated_at)
        with own_timestamps(Notification, "created_at"):
            Notification.objects.bulk_create(rows, batch_size=BATCH)
        self.stats.notifications += len(rows)


def build_demo_messaging(*, school: School, year: AcademicYear, today: datetime.date) -> MessagingStats:
    return DemoMessaging(school=school, year=year, today=today).build()
