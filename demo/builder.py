"""Builds the demo school «Гимназия № 1» for the current academic year.

The plan (who studies where, who teaches what, which families) is drawn first
from one ``random.Random(seed)``, so the same seed gives the same school. It
is then written through the structure services (enrolments, teaching
assignments, class teachers, parent links, student logins), which validate and
grant the guardian object permissions. Plain structure rows that carry no access
(rooms, subjects, curriculum, classes, courses, students) are bulk-inserted.

Passwords: Argon2 costs ≈ 0.13 s a hash, so only the accounts of the login table
(and the parents of the two mid-year arrivals) go through ``user_create``; the
other demo users are bulk-inserted with one Argon2 hash of the same demo
password (same password, so one salt reveals nothing more), and like
``user_create(password=...)`` they need not change it.

The planning data (bells, the timetable, lessons and their changes, thematic plans, substitutions) is
added last by :mod:`demo.planning`, in the same transaction.
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_create
from demo import curriculum as cur
from demo.accounts import build_demo_accounts, build_demo_contacts
from demo.calendar import YearCalendar, start_year_for
from demo.diary import build_demo_diary
from demo.marks import DemoMarks, MarksStats
from demo.messaging import build_demo_messaging
from demo.monitoring import build_demo_monitoring
from demo.names import (
    LAST_NAMES,
    MEN,
    Person,
    login_base,
    random_child,
    random_man,
    random_woman,
)
from demo.neighbour import NEIGHBOUR_NAME, build_neighbour, wipe_neighbour
from demo.planning import ASSEMBLY_HALL, GYMS, PE, DemoPlanning, PlanningStats, gyms_needed
from demo.reports import demo_documents
from journal.models import (
    AcademicYear,
    Attendance,
    ClassGroup,
    Course,
    CurriculumItem,
    Enrolment,
    FinalMark,
    GradePeriodScheme,
    Holiday,
    Mark,
    MembershipRole,
    Room,
    School,
    SchoolMembership,
    Student,
    Subgroup,
    Subject,
    TeachingAssignment,
    ThematicPlan,
)
from journal.models.people import EnrolmentReason, Movement, MovementKind, MovementStatus, ParentRelation
from journal.models.structure import PeriodKind
from journal.services.movement import movement_request
from journal.services.policy import default_policy_and_work_types
from journal.services.structure import (
    class_teacher_set,
    enrolment_create,
    enrolment_end,
    membership_ensure,
    parent_link_create,
    student_login_attach,
    student_transfer,
    study_period_create,
    teaching_assignment_create,
    teaching_assignment_end,
)
from journal.services.subgroups import subgroup_move

SCHOOL_NAME = "Гимназия № 1"
SCHOOL_ADDRESS = "123456, г. Москва, ул. Школьная, д. 1"
EMAIL_DOMAIN = "gymnasium1.example"

# Letters of the parallel classes per grade.
SIZES: dict[str, dict[int, str]] = {
    "default": {grade: "АБ" for grade in range(1, 12)},
    "large": {**{grade: "АБВГДЕ" for grade in range(1, 10)}, 10: "АБВ", 11: "АБВ"},
}

HOURS_PER_TEACHER = 20  # weekly load of one specialist
ENGLISH_GROUPS = ("Группа 1", "Группа 2")
STUDENT_LOGIN_GRADES = range(5, 12)

ClassKey = tuple[int, str]  # (grade, letter)


# --- The plan -------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Account:
    """A person who gets a login."""

    person: Person
    roles: tuple[Role, ...]
    login: str = ""  # a fixed login from the role table; otherwise derived from the name
    phone: str = ""
    user: User | None = None

    @property
    def saved(self) -> User:
        if self.user is None:
            raise RuntimeError(f"{self.person.full_name} has no user yet")
        return self.user


@dataclass(eq=False)
class Child:
    person: Person
    birth_date: datetime.date
    class_key: ClassKey
    family: Family
    account: Account | None = None
    student: Student | None = None

    @property
    def saved(self) -> Student:
        if self.student is None:
            raise RuntimeError(f"{self.person.full_name} is not saved yet")
        return self.student


@dataclass(eq=False)
class Family:
    family_name: str  # masculine form
    father_first_name: str
    parents: list[tuple[Account, str]] = field(default_factory=list)  # (account, ParentRelation)
    children: list[Child] = field(default_factory=list)
    consent: bool = True
    printout: bool = False


@dataclass(eq=False)
class Teacher:
    account: Account
    specialty: str
    hours: int = 0


class DemoSchoolBuilder:
    """Draws and writes the demo school. Call inside ``transaction.atomic()``."""

    def __init__(
        self,
        *,
        size: str = "default",
        password: str,
        seed: int = 1,
        today: datetime.date | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.letters = SIZES[size]
        self.password = password
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today or timezone.localdate()
        self.cal = YearCalendar(start_year_for(self.today))
        self.log = log or (lambda _msg: None)
        self.timings: list[tuple[str, float]] = []
        self._t0 = time.monotonic()
        self.password_hash = ""

        self.school: School
        self.year: AcademicYear
        self.subjects: dict[str, Subject] = {}
        self.rooms: list[Room] = []
        self.classes: dict[ClassKey, ClassGroup] = {}
        self.capacity: dict[ClassKey, int] = {}
        self.families: list[Family] = []
        self.children: list[Child] = []
        self.subgroups: dict[tuple[ClassKey, int], Subgroup] = {}
        self.courses: dict[tuple[ClassKey, str, int], Course] = {}  # (class, subject, English group 1/2 or 0)
        self.teachers: list[Teacher] = []
        self.course_teacher: dict[tuple[ClassKey, str, int], Teacher] = {}
        self.class_teacher: dict[ClassKey, Teacher] = {}
        self.staff: dict[str, Account] = {}  # administrator, director, deputy, deputy2
        self.named: dict[str, Account] = {}  # role-table login → account
        self.planning = PlanningStats()
        self.marks = MarksStats()
        self.monitoring: dict[str, int] = {}

    # -- helpers -----------------------------------------------------------------------------------------

    def _step(self, name: str) -> None:
        now = time.monotonic()
        self.timings.append((name, now - self._t0))
        self.log(f"  {name}: {now - self._t0:.1f} s")
        sys.stdout.flush()
        self._t0 = now

    def _grades(self) -> list[int]:
        return sorted(self.letters)

    def _class_keys(self) -> list[ClassKey]:
        return [(grade, letter) for grade in self._grades() for letter in self.letters[grade]]

    def _phone(self) -> str:
        r = self.rng
        return f"+7 9{r.randint(0, 99):02d} {r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}"

    def _event_day(self, fraction: float) -> datetime.date:
        """A school day ``fraction`` of the way from the second day of the year to today.

        Events are dated in the past whenever the year has begun: a teaching assignment that starts or
        ends in the future would leave guardian rows behind when that day comes (they are synced only
        by the service call). Only on the first day of the year do they fall on the next days.
        """
        first = self.cal.start + datetime.timedelta(days=1)
        horizon = max(first, min(self.today, self.cal.last_teaching_day))
        day = first + datetime.timedelta(days=round((horizon - first).days * fraction))
        return self.cal.school_day_near(day, first, horizon)

    def _order_number(self, day: datetime.date) -> str:
        return f"{40 + (day - self.cal.start).days // 2}-у"

    def _order(self, day: datetime.date) -> str:
        return f"приказ № {self._order_number(day)} от {day:%d.%m.%Y}"

    def _record_movement(self, child: Child, kind: str, day: datetime.date, **where: Any) -> None:
        """The movement as the administrator confirmed it (the enrolments are the history's own)."""
        key = child.class_key
        Movement.objects.create(
            student=child.saved,
            kind=kind,
            on=day,
            order_number=self._order_number(day),
            order_date=day,
            status=MovementStatus.CONFIRMED,
            requested_by=self.class_teacher[key].account.saved,
            decided_by=self.staff["administrator"].saved,
            decided_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
            **where,
        )

    # -- entry point -------------------------------------------------------------------------------------

    def build(self, *, documents: bool = True) -> School:
        """The school, its year so far and (unless ``documents`` is false) its generated documents."""
        self.password_hash = make_password(self.password)
        self._school_and_year()
        # The default grading policy and work types (weights) of DESIGN.md.
        default_policy_and_work_types(self.school)
        self._rooms_subjects_curriculum()
        self._classes()
        self._step("school, year, periods, rooms, subjects, curriculum, classes")
        self._plan_families()
        self._plan_teachers()
        self._plan_staff()
        self._create_users()
        self._step("plan and users")
        self._students_and_enrolments()
        self._step("students and enrolments")
        self._subgroups_and_courses()
        self._teaching_assignments()
        self._class_teachers()
        self._step("courses, teaching assignments, class teachers")
        self._parent_links()
        self._student_logins()
        self._step("parent links and student logins")
        self._history()
        self._memberships()
        self._step("movement of students, teacher replacement, memberships")
        self.planning = DemoPlanning(
            school=self.school,
            year=self.year,
            cal=self.cal,
            today=self.today,
            rng=self.rng,
            deputy=self.staff["deputy"].saved,
            teacher=self.named["teacher"].saved,
            step=self._step,
        ).build()
        # The journal's data of the year so far: attendance, marks, homework, final marks of finished periods.
        self.marks = DemoMarks(
            school=self.school,
            year=self.year,
            today=self.today,
            rng=self.rng,
            fallback_author=self.staff["deputy"].saved,
            step=self._step,
        ).build()
        # The diary's events of the year and parents' acknowledgements of past weeks.
        build_demo_diary(
            school=self.school, year=self.year, today=self.today, deputy=self.staff["deputy"].saved, step=self._step
        )
        # Parents' conversations with teachers, class announcements, notifications of recent marks (§2.10, §4.4).
        build_demo_messaging(school=self.school, year=self.year, today=self.today)
        self._step("messages, announcements, notifications")
        # What the monitoring finds: attendance not taken, topics missing, marks forgotten, families' use.
        self.monitoring = build_demo_monitoring(
            school=self.school,
            year=self.year,
            today=self.today,
            rng=self.rng,
            deputy=self.staff["deputy"].saved,
            teacher=self.named["teacher"].saved,
        )
        self._step("monitoring: days of use, control checks")
        # Logins issued at the year's start, sign-ins, a compromised login with its Act (§3.15–3.16).
        build_demo_accounts(
            school=self.school,
            year=self.year,
            today=self.today,
            administrator=self.staff["administrator"].saved,
            keep={account.saved.pk for account in self.named.values()},
        )
        build_demo_contacts(
            school=self.school,
            today=self.today,
            class_teacher=self.class_teacher[(5, "А")].account.saved,
            parent=self.named["parent"].saved,
        )
        self._step("logins issued, sign-ins, a compromise report and its act, contact data")
        # The neighbouring school where the administrator teaches informatics (roles per school, §3.2); its own
        # random stream, so the main school's data stay those of the seed.
        build_neighbour(year=self.year, teacher=self.staff["administrator"].saved, rng=random.Random(self.seed + 7))
        self._step("the neighbouring school «Школа № 7»")
        # The last finished week's paper printouts (§8.3) on the class teachers' pages, the deputy's reports
        # of the last finished quarter, the journal of final marks of 5А for binding (§7.4).
        if documents:
            demo_documents(self.school, self.today, self.staff["deputy"].saved, step=self._step)
        return self.school

    # -- structure ---------------------------------------------------------------------------------------

    def _school_and_year(self) -> None:
        self.school = School.objects.create(
            name=SCHOOL_NAME, short_name=SCHOOL_NAME, address=SCHOOL_ADDRESS, director_name="", week_days=5
        )
        cal = self.cal
        self.year = AcademicYear.objects.create(
            school=self.school, name=cal.name, start=cal.start, end=cal.end, is_current=True
        )
        for spec in cal.periods():
            study_period_create(
                year=self.year,
                kind=spec.kind,
                number=spec.number,
                start=spec.start,
                end=spec.end,
                final_marks_deadline=spec.deadline,
            )
        GradePeriodScheme.objects.bulk_create(
            GradePeriodScheme(
                year=self.year, grade=grade, kind=PeriodKind.QUARTER if grade <= 9 else PeriodKind.HALF_YEAR
            )
            for grade in range(1, 12)
        )
        Holiday.objects.bulk_create(
            Holiday(year=self.year, name=name, start=start, end=end) for name, start, end in cal.holidays()
        )

    def _rooms_subjects_curriculum(self) -> None:
        n_classes = len(self._class_keys())
        per_floor = 10 if n_classes <= 30 else 15
        # A home room per class and a quarter more: specialists' cabinets and the second English group.
        floors = max(3, -(-n_classes * 5 // (4 * per_floor)))
        names = [f"{floor}{number:02d}" for floor in range(1, floors + 1) for number in range(1, per_floor + 1)]
        rooms = [Room(school=self.school, name=name, capacity=30) for name in names]
        pe_lessons = sum(cur.HOURS[grade].get(PE, 0) for grade, _letter in self._class_keys())
        rooms += [
            Room(school=self.school, name=name, capacity=60 if i == 0 else 30)
            for i, name in enumerate(GYMS[: gyms_needed(pe_lessons)])
        ]
        rooms.append(Room(school=self.school, name=ASSEMBLY_HALL, capacity=200))
        self.rooms = Room.objects.bulk_create(rooms)
        subjects = Subject.objects.bulk_create(
            Subject(school=self.school, name=name, short_name=short, is_foreign_language=foreign)
            for name, short, foreign in cur.SUBJECTS
        )
        self.subjects = {s.name: s for s in subjects}
        CurriculumItem.objects.bulk_create(
            CurriculumItem(
                year=self.year,
                grade=grade,
                subject=self.subjects[name],
                hours_per_week=Decimal(hours),
                assessment=cur.assessment(grade, name),
            )
            for grade, plan in cur.HOURS.items()
            for name, hours in plan.items()
        )

    def _classes(self) -> None:
        keys = self._class_keys()
        objs = [
            ClassGroup(year=self.year, grade=grade, letter=letter, home_room=self.rooms[i])
            for i, (grade, letter) in enumerate(keys)
        ]
        self.classes = dict(zip(keys, ClassGroup.objects.bulk_create(objs), strict=True))
        self.capacity = {key: self.rng.randint(23, 27) for key in keys}

    # -- families and students ---------------------------------------------------------------------------

    def _birth_date(self, grade: int) -> datetime.date:
        """Age ≈ grade + 6: 6½–7½ in grade 1 on 1 September; a few a year older."""
        y = self.cal.start_year - grade - 5
        first, last = datetime.date(y - 1, 3, 1), datetime.date(y, 2, 28)
        if self.rng.random() < 0.04:
            first, last = first.replace(year=first.year - 1), last.replace(year=last.year - 1)
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def _new_child(self, family: Family, key: ClassKey, male: bool, first_name: str | None = None) -> Child:
        taken = {c.person.first_name for c in family.children}
        person = random_child(self.rng, family.family_name, family.father_first_name, male)
        while person.first_name in taken:
            person = random_child(self.rng, family.family_name, family.father_first_name, male)
        if first_name:
            person.first_name = first_name
        child = Child(person=person, birth_date=self._birth_date(key[0]), class_key=key, family=family)
        family.children.append(child)
        self.children.append(child)
        self.capacity[key] -= 1
        return child

    def _add_parents(self, family: Family, composition: str | None = None) -> None:
        rng = self.rng
        if composition is None:
            r = rng.random()
            composition = "both" if r < 0.6 else ("mother" if r < 0.94 else "father")
        if composition in ("both", "mother"):
            mother = random_woman(rng, family.family_name)
            family.parents.append((Account(mother, (Role.PARENT,), phone=self._phone()), ParentRelation.MOTHER))
        if composition in ("both", "father"):
            father = random_man(rng, family.family_name)
            father.first_name = family.father_first_name
            family.parents.append((Account(father, (Role.PARENT,), phone=self._phone()), ParentRelation.FATHER))
        family.consent = rng.random() < 0.94
        # Parents who did not consent to the electronic diary get it on paper (§1.10, §8.3): ≈ 10 % in all.
        family.printout = not family.consent or rng.random() < 0.04

    def _plan_families(self) -> None:
        rng = self.rng
        # The family of the role table: the mother («parent») of a 5А student («student») and a 2Б girl.
        star = Family(family_name="Смирнов", father_first_name="Андрей")
        self.families.append(star)
        self._new_child(star, (5, "А"), True, "Артём")
        self._new_child(star, (2, "Б"), False, "Алиса")
        mother = Account(Person("Смирнова", "Ольга", "Викторовна", False), (Role.PARENT,), "parent", self._phone())
        father = Account(Person("Смирнов", "Андрей", "Сергеевич", True), (Role.PARENT,), phone=self._phone())
        star.parents = [(mother, ParentRelation.MOTHER), (father, ParentRelation.FATHER)]
        star.consent, star.printout = True, False
        self.named["parent"] = mother
        son = star.children[0]
        son.account = Account(son.person, (Role.STUDENT,), "student")
        self.named["student"] = son.account

        open_keys = [key for key in self._class_keys() if self.capacity[key] > 0]
        while open_keys:
            n_children = rng.choices((1, 2, 3), weights=(70, 24, 6))[0]
            family = Family(family_name=rng.choice(LAST_NAMES), father_first_name=rng.choice(list(MEN)))
            key = rng.choice(open_keys)
            keys = [key]
            for _ in range(n_children - 1):
                others = [k for k in open_keys if k[0] not in {g for g, _letter in keys}]
                if not others:
                    break
                keys.append(rng.choice(others))
            for k in keys:
                self._new_child(family, k, rng.random() < 0.5)
            self._add_parents(family)
            self.families.append(family)
            open_keys = [k for k in open_keys if self.capacity[k] > 0]

        # Own logins for about half of the students of grades 5–11.
        for child in self.children:
            if child.account is None and child.class_key[0] in STUDENT_LOGIN_GRADES and rng.random() < 0.5:
                child.account = Account(child.person, (Role.STUDENT,))

    # -- teachers ----------------------------------------------------------------------------------------

    def _course_units(self) -> list[tuple[tuple[ClassKey, str, int], int]]:
        """Every course as (class, subject, English group or 0) with its weekly hours."""
        units = []
        for key in self._class_keys():
            for subject, hours in cur.HOURS[key[0]].items():
                if subject == cur.ENGLISH:
                    units += [((key, subject, g), hours) for g in (1, 2)]
                else:
                    units.append(((key, subject, 0), hours))
        return units

    def _new_teacher(self, specialty: str, women_share: float, used: set[str]) -> Teacher:
        while True:
            make = random_woman if self.rng.random() < women_share else random_man
            person = make(self.rng)
            if person.full_name not in used:
                used.add(person.full_name)
                break
        teacher = Teacher(Account(person, (Role.TEACHER,), phone=self._phone()), specialty)
        self.teachers.append(teacher)
        return teacher

    def _plan_teachers(self) -> None:
        used: set[str] = set()
        # Bundles: all of a specialty's courses in one class go to one teacher (algebra and geometry of 7А…);
        # English goes by subgroup, so the two groups of a class get different teachers.
        bundles: dict[str, dict[tuple[ClassKey, int], list[tuple[tuple[ClassKey, str, int], int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for unit, hours in self._course_units():
            key, subject, group = unit
            bundles[cur.specialty_of(key[0], subject)][(key, group)].append((unit, hours))

        for key, group in bundles[cur.PRIMARY]:
            teacher = self._new_teacher(cur.PRIMARY, 0.97, used)
            self.class_teacher[key] = teacher
            for unit, hours in bundles[cur.PRIMARY][(key, group)]:
                self.course_teacher[unit] = teacher
                teacher.hours += hours

        for specialty, (_subjects, women_share) in cur.SPECIALTIES.items():
            items = sorted(bundles[specialty].items(), key=lambda kv: (kv[0][1], kv[0][0]))  # group, grade, letter
            total = sum(h for _bundle, units in items for _unit, h in units)
            n = max(1, round(total / HOURS_PER_TEACHER))
            staff = [self._new_teacher(specialty, women_share, used) for _ in range(n)]
            done = 0
            for _bundle, units in items:
                hours = sum(h for _unit, h in units)
                teacher = staff[min(n - 1, int((done + hours / 2) * n / total))]
                done += hours
                for unit, h in units:
                    self.course_teacher[unit] = teacher
                    teacher.hours += h
        self.teachers = [t for t in self.teachers if t.hours > 0]

        # The role table: «teacher» teaches mathematics in 5А, «classteacher» Russian in 5А and leads it.
        math_5a = self.course_teacher[((5, "А"), "Математика", 0)]
        russian_5a = self.course_teacher[((5, "А"), "Русский язык", 0)]
        math_5a.account.person = Person("Васильева", "Наталья", "Сергеевна", False)
        math_5a.account.login = "teacher"
        russian_5a.account.person = Person("Соколова", "Татьяна", "Михайловна", False)
        russian_5a.account.login = "classteacher"
        self.named["teacher"], self.named["classteacher"] = math_5a.account, russian_5a.account
        self.class_teacher[(5, "А")] = russian_5a
        # The deputy for upbringing (по воспитательной работе) also teaches history.
        historian = next(t for t in self.teachers if t.specialty == "history")
        historian.account.person = Person("Орлов", "Павел", "Андреевич", True)
        historian.account.roles = (Role.TEACHER, Role.DEPUTY)
        self._match_class_teachers(exclude={math_5a, historian})

    def _match_class_teachers(self, exclude: set[Teacher]) -> None:
        """Each remaining class gets one of its own teachers, no teacher leading two (bipartite matching)."""
        hours: dict[ClassKey, Counter[int]] = defaultdict(Counter)
        by_id = {id(t): t for t in self.teachers}
        for (key, subject, _group), teacher in self.course_teacher.items():
            hours[key][id(teacher)] += cur.HOURS[key[0]][subject]
        taken = {id(t) for t in self.class_teacher.values()} | {id(t) for t in exclude}
        open_keys = [k for k in self._class_keys() if k not in self.class_teacher]
        candidates = {
            k: [tid for tid, _h in sorted(hours[k].items(), key=lambda kv: -kv[1]) if tid not in taken]
            for k in open_keys
        }
        leader: dict[int, ClassKey] = {}

        def assign(k: ClassKey, seen: set[int]) -> bool:
            for tid in candidates[k]:
                if tid in seen:
                    continue
                seen.add(tid)
                if tid not in leader or assign(leader[tid], seen):
                    leader[tid] = k
                    return True
            return False

        excluded = {id(t) for t in exclude}
        for k in open_keys:
            if not assign(k, set()):
                # Not enough distinct teachers: the one with the most hours here leads a second class.
                fallback = [tid for tid in hours[k] if tid not in excluded] or list(hours[k])
                self.class_teacher[k] = by_id[max(fallback, key=lambda tid: hours[k][tid])]
        for tid, k in leader.items():
            self.class_teacher[k] = by_id[tid]

    # -- administration ----------------------------------------------------------------------------------

    def _plan_staff(self) -> None:
        def account(last: str, first: str, middle: str, male: bool, roles: tuple[Role, ...], login: str) -> Account:
            return Account(Person(last, first, middle, male), roles, login, self._phone())

        self.staff["administrator"] = account("Кузнецов", "Денис", "Олегович", True, (Role.ADMINISTRATOR,), "admin")
        self.staff["director"] = account("Морозова", "Елена", "Викторовна", False, (Role.DIRECTOR,), "director")
        self.staff["deputy"] = account("Лебедева", "Ирина", "Николаевна", False, (Role.DEPUTY,), "deputy")
        for role in ("administrator", "director", "deputy"):
            self.named[role] = self.staff[role]
        self.staff["deputy2"] = next(t.account for t in self.teachers if Role.DEPUTY in t.account.roles)

    def _all_accounts(self) -> list[Account]:
        accounts = [self.staff["administrator"], self.staff["director"], self.staff["deputy"]]
        accounts += [t.account for t in self.teachers]
        for family in self.families:
            accounts += [a for a, _relation in family.parents]
        accounts += [c.account for c in self.children if c.account is not None]
        return accounts

    def _create_users(self) -> None:
        accounts = self._all_accounts()
        taken = set(User.objects.values_list("username", flat=True))
        named_ids = {id(a) for a in self.named.values()}
        # Fixed logins first, so a name-derived login never takes «teacher» or «parent».
        for acc in accounts:
            if acc.login:
                acc.login = self._unique(acc.login, taken)
        for acc in accounts:
            if not acc.login:
                p = acc.person
                acc.login = self._unique(login_base(p.last_name, p.first_name, p.middle_name), taken)

        bulk: list[Account] = []
        for acc in accounts:
            if id(acc) in named_ids:
                p = acc.person
                acc.user, _pw = user_create(
                    username=acc.login,
                    last_name=p.last_name,
                    first_name=p.first_name,
                    middle_name=p.middle_name,
                    email=self._email(acc),
                    phone=acc.phone,
                    roles=acc.roles,
                    school=self.school,
                    password=self.password,
                )
            else:
                bulk.append(acc)
        users = [
            User(
                username=acc.login,
                last_name=acc.person.last_name,
                first_name=acc.person.first_name,
                middle_name=acc.person.middle_name,
                email=self._email(acc),
                phone=acc.phone,
                password=self.password_hash,
                must_change_password=False,
            )
            for acc in bulk
        ]
        User.objects.bulk_create(users, batch_size=500)
        for acc, user in zip(bulk, users, strict=True):
            acc.user = user
        # Their memberships of the school and the roles held there, in bulk (user_create does it one by one).
        memberships = SchoolMembership.objects.bulk_create(
            [SchoolMembership(user=acc.saved, school=self.school) for acc in bulk], batch_size=1000
        )
        MembershipRole.objects.bulk_create(
            (
                MembershipRole(membership=membership, role=role.value)
                for acc, membership in zip(bulk, memberships, strict=True)
                for role in acc.roles
            ),
            batch_size=1000,
        )
        self.school.director_name = self.staff["director"].person.full_name
        self.school.save(update_fields=["director_name"])

    @staticmethod
    def _unique(base: str, taken: set[str]) -> str:
        login, n = base, 1
        while login in taken:
            n += 1
            login = f"{base}{n}"
        taken.add(login)
        return login

    @staticmethod
    def _email(acc: Account) -> str:
        staff_roles = {Role.ADMINISTRATOR, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER}
        return f"{acc.login}@{EMAIL_DOMAIN}" if staff_roles.intersection(acc.roles) else ""

    # -- writing through the services --------------------------------------------------------------------

    def _students_and_enrolments(self) -> None:
        students = [
            Student(
                school=self.school,
                last_name=c.person.last_name,
                first_name=c.person.first_name,
                middle_name=c.person.middle_name,
                birth_date=c.birth_date,
            )
            for c in self.children
        ]
        Student.objects.bulk_create(students, batch_size=500)
        for child, student in zip(self.children, students, strict=True):
            child.student = student
        for child in self.children:
            enrolment_create(
                actor=self.staff["administrator"].saved,
                student=child.saved,
                class_group=self.classes[child.class_key],
                date_from=self.cal.start,
                reason=EnrolmentReason.START_OF_YEAR,
            )

    def _subgroups_and_courses(self) -> None:
        english = self.subjects[cur.ENGLISH]
        roster: dict[ClassKey, list[Child]] = defaultdict(list)
        for child in self.children:
            roster[child.class_key].append(child)
        subgroups = [
            Subgroup(class_group=self.classes[key], subject=english, name=ENGLISH_GROUPS[g - 1])
            for key in self._class_keys()
            if cur.ENGLISH in cur.HOURS[key[0]]
            for g in (1, 2)
        ]
        Subgroup.objects.bulk_create(subgroups)
        for sg in subgroups:
            key = (sg.class_group.grade, sg.class_group.letter)
            self.subgroups[(key, ENGLISH_GROUPS.index(sg.name) + 1)] = sg
        # Members: the class list in alphabetical order, split in half.
        members = []
        through = Subgroup.members.through
        for (key, g), sg in self.subgroups.items():
            ordered = sorted(roster[key], key=lambda c: (c.person.last_name, c.person.first_name))
            half = (len(ordered) + 1) // 2
            part = ordered[:half] if g == 1 else ordered[half:]
            members += [through(subgroup_id=sg.pk, student_id=c.saved.pk) for c in part]
        through.objects.bulk_create(members, batch_size=1000)

        units = [unit for unit, _hours in self._course_units()]
        courses = [
            Course(
                class_group=self.classes[key],
                subject=self.subjects[subject],
                subgroup=self.subgroups[(key, g)] if g else None,
            )
            for key, subject, g in units
        ]
        Course.objects.bulk_create(courses, batch_size=500)
        self.courses = dict(zip(units, courses, strict=True))

    def _teaching_assignments(self) -> None:
        actor = self.staff["administrator"].saved
        for unit, course in self.courses.items():
            teaching_assignment_create(
                actor=actor, course=course, teacher=self.course_teacher[unit].account.saved, date_from=self.cal.start
            )

    def _class_teachers(self) -> None:
        actor = self.staff["administrator"].saved
        for key, class_group in self.classes.items():
            class_teacher_set(actor=actor, class_group=class_group, teacher=self.class_teacher[key].account.saved)

    def _parent_links(self) -> None:
        actor = self.staff["administrator"].saved
        for family in self.families:
            self._link_family(family, actor)

    def _link_family(self, family: Family, actor: User | None) -> None:
        for child in family.children:
            for account, relation in family.parents:
                parent_link_create(
                    actor=actor,
                    parent=account.saved,
                    student=child.saved,
                    relation=relation,
                    consent_given=family.consent,
                    wants_paper_printout=family.printout,
                )

    def _student_logins(self) -> None:
        actor = self.staff["administrator"].saved
        for child in self.children:
            if child.account is not None:
                student_login_attach(actor=actor, student=child.saved, user=child.account.saved)

    def _memberships(self) -> None:
        """Every demo user belongs to the school: the services saw to all but the administration."""
        have = set(SchoolMembership.objects.filter(school=self.school).values_list("user_id", flat=True))
        for acc in self._all_accounts():
            if acc.saved.pk not in have:
                membership_ensure(user=acc.saved, school=self.school)
                have.add(acc.saved.pk)

    # -- movement of students and a teacher replacement ---------------------------------------------------

    def _history(self) -> None:
        actor = self.staff["administrator"].saved
        star = set(self.families[0].children)

        def pick(key: ClassKey) -> Child:
            pool = [c for c in self.children if c.class_key == key and c not in star]
            return self.rng.choice(sorted(pool, key=lambda c: c.person.full_name))

        # Two arrivals from other schools.
        for key, fraction, school in (
            ((3, "Б"), 0.25, "МБОУ «Средняя школа № 7»"),
            ((10, "А"), 0.7, "МАОУ «Лицей № 3» г. Твери"),
        ):
            day = self._event_day(fraction)
            self._arrive(key, day, f"из {school}, {self._order(day)}", actor)

        # A transfer between parallel classes.
        day = self._event_day(0.4)
        child = pick((6, "А"))
        student_transfer(
            actor=actor,
            student=child.saved,
            to_class=self.classes[(6, "Б")],
            on=day,
            note=f"Перевод по заявлению родителей, {self._order(day)}",
        )  # the English group of the same name in 6Б takes the student from that day
        self._record_movement(
            child, MovementKind.TRANSFER, day, from_class=self.classes[(6, "А")], to_class=self.classes[(6, "Б")]
        )
        child.class_key = (6, "Б")

        # A departure to another school.
        day = self._event_day(0.55)
        child = pick((9, "Б"))
        enrolment_end(
            actor=actor,
            enrolment=Enrolment.objects.get(student=child.saved, date_to__isnull=True),
            date_to=day,
            reason=EnrolmentReason.DEPARTURE,
            note=f"{'Выбыл' if child.person.male else 'Выбыла'} в МАОУ «Лицей № 2», {self._order(day)}",
        )
        self._record_movement(
            child, MovementKind.DEPARTURE, day, from_class=self.classes[(9, "Б")], other_school="МАОУ «Лицей № 2»"
        )
        # A departure the class teacher of 5А asked for and the administrator has still to confirm.
        leaving = min(
            (c for c in self.children if c.class_key == (5, "А") and c not in star), key=lambda c: c.person.full_name
        )
        movement_request(
            actor=self.class_teacher[(5, "А")].account.saved,
            student=leaving.saved,
            kind=MovementKind.DEPARTURE,
            on=self.today + datetime.timedelta(days=7),
            other_school="МБОУ «Средняя школа № 12»",
        )

        # A student of 5Б moves to the other English group mid-year (the old group's journal keeps their marks).
        day = self._event_day(0.45)
        groups = [self.subgroups[((5, "Б"), g)] for g in (1, 2) if ((5, "Б"), g) in self.subgroups]
        if len(groups) == 2 and day <= self.today:
            first = groups[0].members.order_by("last_name", "first_name").first()
            if first is not None:
                subgroup_move(actor=actor, student=first, subgroup=groups[1], on=day)

        # A teacher hands over one course to a colleague mid-year (not on the year's first day: see _event_day).
        day = self._event_day(0.5)
        if day > self.today:
            return
        unit = ((8, "Б"), "Геометрия", 0)
        before = self.course_teacher[unit]
        after = min(
            (t for t in self.teachers if t.specialty == before.specialty and t is not before),
            key=lambda t: (t.hours, t.account.login),
        )
        assignment = TeachingAssignment.objects.get(course=self.courses[unit], teacher=before.account.saved)
        teaching_assignment_end(actor=actor, assignment=assignment, date_to=day)
        teaching_assignment_create(actor=actor, course=self.courses[unit], teacher=after.account.saved, date_from=day)
        self.course_teacher[unit] = after

    def _arrive(self, key: ClassKey, day: datetime.date, origin: str, actor: User | None) -> Child:
        family = Family(family_name=self.rng.choice(LAST_NAMES), father_first_name=self.rng.choice(list(MEN)))
        self.capacity[key] += 1
        child = self._new_child(family, key, self.rng.random() < 0.5)
        note = f"{'Прибыл' if child.person.male else 'Прибыла'} {origin}"
        self._add_parents(family, "mother")
        family.consent, family.printout = True, False
        self.families.append(family)
        taken = set(User.objects.values_list("username", flat=True))
        for account, _relation in family.parents:
            p = account.person
            account.login = self._unique(login_base(p.last_name, p.first_name, p.middle_name), taken)
            account.user, _pw = user_create(
                username=account.login,
                last_name=p.last_name,
                first_name=p.first_name,
                middle_name=p.middle_name,
                phone=account.phone,
                roles=account.roles,
                school=self.school,
                password=self.password,
            )
        p = child.person
        child.student = Student.objects.create(
            school=self.school,
            last_name=p.last_name,
            first_name=p.first_name,
            middle_name=p.middle_name,
            birth_date=child.birth_date,
        )
        enrolment_create(
            actor=actor,
            student=child.saved,
            class_group=self.classes[key],
            date_from=day,
            reason=EnrolmentReason.ARRIVAL,
            note=note,
        )
        self._join_english(child, key, day)
        self._link_family(family, actor)
        return child

    def _join_english(self, child: Child, key: ClassKey, day: datetime.date) -> None:
        """Put an arriving student into the smaller English group of the class (if it has English) from
        the day they arrive."""
        groups = [self.subgroups[(key, g)] for g in (1, 2) if (key, g) in self.subgroups]
        if groups:
            smallest = min(groups, key=lambda sg: (sg.members.count(), sg.name))
            smallest.members.add(child.saved, through_defaults={"date_from": day})


def demo_users(school: School) -> list[int]:
    """Users who belong to the demo school only (or to it and its neighbour; never a superuser): deleted with it."""
    others = SchoolMembership.objects.exclude(school=school).exclude(school__name=NEIGHBOUR_NAME).values("user_id")
    qs = User.objects.filter(memberships__school=school, is_superuser=False).exclude(pk__in=others)
    return list(qs.values_list("pk", flat=True).distinct())


def wipe_demo_school() -> tuple[int, int]:
    """Delete «Гимназия № 1» with everything in it and its own users; returns (schools, users) deleted."""
    school = School.objects.filter(name=SCHOOL_NAME).first()
    if school is None:
        return 0, 0
    user_ids = demo_users(school)
    wipe_neighbour()
    # Courses, subgroups, curriculum lines and shared plans protect their subject, enrolments their class:
    # they go first (lessons, their changes and substitutions go with the courses).
    # Marks, attendance and final marks protect their lessons, courses and students.
    Mark.objects.filter(lesson__course__class_group__year__school=school).delete()
    Attendance.objects.filter(lesson__course__class_group__year__school=school).delete()
    FinalMark.objects.filter(course__class_group__year__school=school).delete()
    Course.objects.filter(class_group__year__school=school).delete()
    ThematicPlan.objects.filter(year__school=school).delete()
    Subgroup.objects.filter(class_group__year__school=school).delete()
    CurriculumItem.objects.filter(year__school=school).delete()
    Enrolment.objects.filter(Q(student__school=school) | Q(class_group__year__school=school)).delete()
    school.delete()
    deleted = 0
    for chunk in _chunks(user_ids, 500):
        User.objects.filter(pk__in=chunk).delete()
        deleted += len(chunk)
    return 1, deleted


def set_demo_passwords(school: School, password: str) -> int:
    """Every demo user of the school gets ``password`` (one hash, see the module doc); returns how many."""
    user_ids = demo_users(school)
    encoded = make_password(password)
    updated = 0
    for chunk in _chunks(user_ids, 500):
        updated += User.objects.filter(pk__in=chunk).update(password=encoded, must_change_password=False)
    return updated


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
