"""``manage.py seed_demo``: a realistic demo school «Гимназия № 1» for the current academic year."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from demo.builder import SCHOOL_NAME, SIZES, DemoSchoolBuilder, set_demo_passwords, wipe_demo_school
from demo.calendar import YearCalendar, start_year_for
from demo.report import counts, login_rows, movement, planning_events
from demo.reports import demo_documents, demo_documents_made
from journal.models import AcademicYear, ClassGroup, School
from journal.permissions import permission_drift

# The documented password of the demo accounts, printed with the login table.
DEFAULT_PASSWORD = "demo12345"  # noqa: S105
DEFAULT_SEED = 20260901


class Command(BaseCommand):
    help = (
        f"Creates the demo school «{SCHOOL_NAME}» for the current academic year (1 September – 31 May; "
        "in June–August the coming one): periods, holidays, rooms, subjects, curriculum, classes 1–11, "
        "students with arrivals, a transfer and a departure, English subgroups, teachers (one hands a "
        "course over mid-year), class teachers, parents and logins; bells, a full-year timetable (one entry "
        "changed mid-year), lessons held up to today with the topics of thematic plans (КТП), a few cancelled, "
        "moved and extra lessons and substitutions; then prints the login table. "
        f"Idempotent: if «{SCHOOL_NAME}» already exists for the current year it is kept as it is (with the "
        "data entered since); only --password, when given, resets the password of every demo account, and "
        "the login table is printed again. It is deleted (with its data and the users who belong to no other "
        "school; superusers are kept) and built again from the seed when --recreate is given, when it "
        "belongs to another academic year, or when --size asks for another size than the one it has. "
        "Everything happens in one transaction. Every demo account gets the same password and need not "
        "change it: never run this on a server holding real data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default=None,
            help="default: two classes per grade (≈ 550 students); large: 60 classes (≈ 1500 students) for "
            "benchmarks. Without it a new school is built in the default size and an existing one is kept.",
        )
        parser.add_argument(
            "--password",
            default=None,
            help=f"Password of every demo account (default for a new school: {DEFAULT_PASSWORD}). Given for an "
            "existing school, it resets the password of all its demo accounts.",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed; the same seed gives the same school."
        )
        parser.add_argument("--recreate", action="store_true", help=f"Delete «{SCHOOL_NAME}» and build it again.")
        parser.add_argument(
            "--documents",
            choices=("now", "later", "only"),
            default="now",
            help="now: make the generated documents (printouts, reports, the journal for binding) in the seed; "
            "later: leave them out; only: make them for the existing demo school if it has none yet "
            "(scripts/run.sh runs this beside the server).",
        )

    def handle(
        self,
        *args: Any,
        size: str | None,
        password: str | None,
        seed: int,
        recreate: bool,
        documents: str = "now",
        **options: Any,
    ) -> None:
        if password == "":
            raise CommandError("The password must not be empty.")
        # Progress by default (the first run of scripts/run.sh waits on it); --verbosity 0 for none.
        verbose = int(options.get("verbosity", 1)) >= 1
        today = timezone.localdate()
        if documents == "only":
            self._documents_only(today, verbose)
            return
        year_name = YearCalendar(start_year_for(today)).name
        started = time.monotonic()
        try:
            with transaction.atomic():
                school = School.objects.filter(name=SCHOOL_NAME).first()
                reason = self._rebuild_reason(school, year_name, size, recreate)
                if school is not None and reason is None:
                    self.stdout.write(f"«{SCHOOL_NAME}» already exists for {year_name}; kept as it is.")
                    if password is not None:
                        changed = set_demo_passwords(school, password)
                        self.stdout.write(f"Password of {changed} demo accounts reset.")
                else:
                    if school is not None:
                        _schools, users = wipe_demo_school()
                        self.stdout.write(f"Deleted the existing «{SCHOOL_NAME}» ({reason}) and its {users} users.")
                    password = password or DEFAULT_PASSWORD
                    if verbose:
                        self.stdout.write(f"Building «{SCHOOL_NAME}», academic year {year_name} ({size or 'default'}):")
                    builder = DemoSchoolBuilder(
                        size=size or "default",
                        password=password,
                        seed=seed,
                        today=today,
                        log=self.stdout.write if verbose else None,
                    )
                    school = builder.build(documents=documents == "now")
                    self._print_timetable_outcome(builder)
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"Created «{SCHOOL_NAME}», academic year {year_name} ({size or 'default'}, seed {seed}) "
                            f"in {time.monotonic() - started:.1f} s."
                        )
                    )
        except ProtectedError as exc:
            raise CommandError(
                f"«{SCHOOL_NAME}» cannot be deleted: other rows still refer to its data ({exc.args[0]}). "
                "Nothing was changed."
            ) from exc
        self._print(school, today, password)
        self._check_permissions()

    def _documents_only(self, today: Any, verbose: bool) -> None:
        school = School.objects.filter(name=SCHOOL_NAME).first()
        if school is None:
            raise CommandError(f"«{SCHOOL_NAME}» does not exist yet: run seed_demo first.")
        if demo_documents_made(school):
            self.stdout.write(f"«{SCHOOL_NAME}» has its documents already.")
            return
        deputy = User.objects.get(username="deputy")
        started = time.monotonic()

        def step(name: str) -> None:
            if verbose:
                self.stdout.write(f"  demo documents: {name}: {time.monotonic() - started:.1f} s")

        demo_documents(school, today, deputy, step=step)
        self.stdout.write(
            self.style.SUCCESS(f"Made the demo school's documents in {time.monotonic() - started:.1f} s.")
        )

    @staticmethod
    def _rebuild_reason(school: School | None, year_name: str, size: str | None, recreate: bool) -> str | None:
        """Why an existing demo school is to be built again; None keeps it."""
        if school is None:
            return "new"
        if recreate:
            return "--recreate"
        year = AcademicYear.objects.filter(school=school, is_current=True).first()
        if year is None or year.name != year_name:
            return f"its year is {year.name if year else 'missing'}, not {year_name}"
        if size is not None:
            have = ClassGroup.objects.filter(year=year).count()
            want = sum(len(letters) for letters in SIZES[size].values())
            if have != want:
                return f"it has {have} classes, --size {size} has {want}"
        return None

    def _print(self, school: School, today: Any, password: str | None) -> None:
        year = AcademicYear.objects.get(school=school, is_current=True)
        rows = login_rows(school, year, today)
        if password is None:
            # An existing school kept as it is: show the password only if it is still the default one.
            password = DEFAULT_PASSWORD if rows and rows[0].user.check_password(DEFAULT_PASSWORD) else "(unchanged)"
        header = ("role", "login", "password", "who")
        table = [(r.role, r.user.username, password, f"{r.user.full_name} — {r.who}") for r in rows]
        widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("")
        self.stdout.write(line(header))
        self.stdout.write("-+-".join("-" * w for w in widths))
        for row in table:
            self.stdout.write(line(row))
        self.stdout.write("")
        for name, count in counts(school, year, today).items():
            self.stdout.write(f"{name}: {count}")
        for title, lines in (
            ("Movement of students and teachers:", movement(year)),
            ("Timetable changes, lesson changes and substitutions:", planning_events(year)),
        ):
            if lines:
                self.stdout.write("")
                self.stdout.write(title)
                for text in lines:
                    self.stdout.write(f"  {text}")

    def _print_timetable_outcome(self, builder: DemoSchoolBuilder) -> None:
        stats = builder.planning
        placed = (
            "every lesson placed"
            if stats.not_placed == 0
            else self.style.WARNING(f"{stats.not_placed} weekly lessons could not be placed")
        )
        longer = f", {stats.windows} of them making a class day longer than planned" if stats.windows else ""
        gaps = f", {stats.gaps} gaps in class days" if stats.gaps else ", no gaps in class days"
        self.stdout.write(
            f"Timetable: {stats.timetable_entries} entries, {placed}{longer}{gaps} "
            f"(greedy attempt {stats.scheduler_attempts}); {stats.lessons} lessons, {stats.held} held."
        )
        for note in stats.notes:
            self.stdout.write(f"  {note}")

    def _check_permissions(self) -> None:
        missing, extra = permission_drift()
        if missing or extra:
            self.stdout.write(
                self.style.WARNING(
                    f"Object permissions drift from the domain rows: {len(missing)} missing, {len(extra)} extra "
                    "(see manage.py check_permissions)."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("Object permissions agree with the domain rows."))
