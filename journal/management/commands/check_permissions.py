"""Compare guardian's object permissions with the domain rows that imply them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from journal.permissions import permission_drift, repair_drift


class Command(BaseCommand):
    help = (
        "Lists object permissions that the domain rows (teaching assignments, class teachers, "
        "parent links, student logins) imply but guardian lacks, and the reverse."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Repair the drift.")
        parser.add_argument("--fail", action="store_true", help="Exit with an error when there is drift.")

    def handle(self, *args: Any, fix: bool, fail: bool, **options: Any) -> None:
        missing, extra = permission_drift()
        for model, user_id, object_id, perm in sorted(missing):
            self.stdout.write(f"missing: user {user_id} {perm} on {model} {object_id}")
        for model, user_id, object_id, perm in sorted(extra):
            self.stdout.write(f"extra:   user {user_id} {perm} on {model} {object_id}")
        if not missing and not extra:
            self.stdout.write(self.style.SUCCESS("Object permissions agree with the domain rows."))
            return
        self.stdout.write(f"{len(missing)} missing, {len(extra)} extra.")
        if fix:
            with transaction.atomic():
                changed = repair_drift()
            self.stdout.write(self.style.SUCCESS(f"Repaired {changed} rows."))
        elif fail:
            raise CommandError("Object permissions drifted from the domain rows.")
