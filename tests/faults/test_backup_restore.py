"""Backups restore (the issue «Faults and bad input»): the scripts the compose ``backup`` service runs,
on a throw-away cluster that archives its WAL as the compose ``db`` does.

A base backup is taken (scripts/backup.sh), marks are saved before and after a moment T, and the restore
drill (scripts/restore_drill.sh) brings the backup and the archived WAL up as a new server: to T it holds
the marks saved before T and none after; to the end of the WAL it holds them all.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from journal import models as m
from journal.services.marks import mark_set
from tests.conftest import World, _enrol
from tests.factories import StudentFactory
from tests.faults.servers import PostgresCluster, database_moved_to, postgres_cluster

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPTS = Path(settings.BASE_DIR) / "scripts"
ARCHIVED_SECONDS = 30


@pytest.fixture
def store() -> Iterator[Path]:
    """Backups and WAL in a folder the postgres user may write (pytest's own is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="journal-backups-"))
    (folder / "wal").mkdir()
    (folder / "backups").mkdir()
    shutil.chown(folder / "wal", "postgres")
    shutil.chown(folder / "backups", "postgres")
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def archiving(world: World, store: Path) -> Iterator[PostgresCluster]:
    wal = store / "wal"
    archive = f"test ! -f {wal}/%f.gz && gzip -c %p > {wal}/%f.gz.part && mv {wal}/%f.gz.part {wal}/%f.gz"
    with (
        postgres_cluster("wal_level=replica", "archive_mode=on", f"archive_command={archive}") as cluster,
        database_moved_to(cluster),
    ):
        yield cluster


def _as_postgres(*command: str, cwd: Path, **env: str) -> str:
    path = f"{sorted(Path('/usr/lib/postgresql').glob('*/bin'))[-1]}:{os.environ['PATH']}"
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", "env", f"PATH={path}", *(f"{k}={v}" for k, v in env.items()), *command],
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _switch_and_wait_archived() -> None:
    """Close the current WAL segment and wait until the archive has it (archive_timeout does so in production)."""
    with connection.cursor() as cursor:
        cursor.execute("select pg_walfile_name(pg_switch_wal())")
        segment = cursor.fetchone()[0]
        deadline = time.monotonic() + ARCHIVED_SECONDS
        while time.monotonic() < deadline:
            cursor.execute("select last_archived_wal from pg_stat_archiver")
            last = cursor.fetchone()[0]
            if last is not None and last >= segment:
                return
            time.sleep(0.2)
    pytest.fail(f"WAL segment {segment} was not archived in {ARCHIVED_SECONDS} s")


def _restore(store: Path, base: Path, lesson: m.Lesson, target: str = "") -> str:
    assert m.Lesson.objects.count() == 1  # the query below reads the marks of the one lesson there is
    sql = (
        "select string_agg(s.last_name || '=' || mk.value, ',' order by s.last_name) from journal_mark mk"
        " join journal_student s on s.id = mk.student_id"
    )
    out = _as_postgres(
        "bash", str(SCRIPTS / "restore_drill.sh"), str(base), str(store / "wal"), *([target] if target else []),
        cwd=store, DRILL_SQL=sql, PGDATABASE=connection.settings_dict["NAME"],
    )  # fmt: skip
    assert "RTO:" in out, out
    return next(line for line in out.splitlines() if line.startswith("DRILL_SQL:")).split(":", 1)[1].strip()


def test_a_base_backup_and_the_archived_wal_restore_to_a_moment_and_to_the_end(
    world: World, archiving: PostgresCluster, store: Path
) -> None:
    late = _enrol(StudentFactory(school=world.school, last_name="Поздний"), world.class_5a)
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=timezone.localdate() - datetime.timedelta(days=1), slot=1
    )
    teacher = world.users["teacher"]
    mark_set(actor=teacher, lesson=lesson, student=world.child, value="5")
    _as_postgres(
        "bash", str(SCRIPTS / "backup.sh"), "once", cwd=store,
        PGHOST="127.0.0.1", PGPORT=str(archiving.port), PGUSER="postgres",
        BACKUP_DIR=str(store / "backups"), WAL_DIR=str(store / "wal"),
    )  # fmt: skip
    (base,) = (store / "backups" / "base").iterdir()
    assert {path.name for path in base.iterdir()} >= {"base.tar.gz", "backup_manifest"}

    mark_set(actor=teacher, lesson=lesson, student=world.other_child, value="4")
    time.sleep(1.1)
    with connection.cursor() as cursor:
        cursor.execute("select to_char(now(), 'YYYY-MM-DD HH24:MI:SS.US TZH')")
        moment = cursor.fetchone()[0]
    time.sleep(1.1)
    mark_set(actor=teacher, lesson=lesson, student=late, value="2")
    _switch_and_wait_archived()

    assert _restore(store, base, lesson, moment) == "Волкова=4,Соколов=5"
    assert _restore(store, base, lesson) == "Волкова=4,Поздний=2,Соколов=5"


def test_a_backup_made_as_root_with_its_files_mode_600_restores_too(
    world: World, archiving: PostgresCluster, store: Path
) -> None:
    """``backup.sh`` run by root (by hand, or a container without ``gosu``) leaves root's files of mode 600,
    and WAL copied by root is root's too: the drill, run as root, still restores them."""
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=timezone.localdate() - datetime.timedelta(days=1), slot=1
    )
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="5")
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    env = {
        **os.environ,
        "PATH": f"{bindir}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(archiving.port),
        "PGUSER": "postgres",
        "BACKUP_DIR": str(store / "backups"),
        "WAL_DIR": str(store / "wal"),
    }
    made = subprocess.run(["bash", str(SCRIPTS / "backup.sh"), "once"], env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.other_child, value="4")
    _switch_and_wait_archived()
    (base,) = (store / "backups" / "base").iterdir()
    for path in [*base.iterdir(), *(store / "wal").iterdir()]:
        shutil.chown(path, "root", "root")
        path.chmod(0o600)
    assert {path.stat().st_uid for path in base.iterdir()} == {0}

    sql = (
        "select string_agg(s.last_name || '=' || mk.value, ',' order by s.last_name) from journal_mark mk"
        " join journal_student s on s.id = mk.student_id"
    )
    done = subprocess.run(
        ["bash", str(SCRIPTS / "restore_drill.sh"), str(base), str(store / "wal")],
        env={**env, "DRILL_SQL": sql, "PGDATABASE": connection.settings_dict["NAME"]},
        capture_output=True,
        text=True,
        cwd=store,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "DRILL_SQL: Волкова=4,Соколов=5" in done.stdout, done.stdout
