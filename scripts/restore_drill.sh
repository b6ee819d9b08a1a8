#!/usr/bin/env bash
# The restore drill: a base backup (scripts/backup.sh) plus the archived WAL brought up as a new server,
# to a moment in time or as far as the WAL goes, then checked and timed.
#
#   restore_drill.sh BASE_BACKUP_DIR WAL_DIR ["YYYY-MM-DD HH:MM:SS+TZ"]
#
# Prints what was restored (the journal's rows and its latest change) and the seconds it took (the RTO of
# the database). The restored server runs in a temporary directory on a free port and is removed at the
# end, unless KEEP=1 (it then prints the directory and the port; stop it with pg_ctl -D DIR stop).
# DRILL_SQL: one more query whose result is printed (a test checks a row is there or not).
# Run it as root or as the postgres user; the server itself runs as postgres. As root it restores a backup
# whoever made it (root's own, mode 600, too): root reads the files and hands them to postgres.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BASE_BACKUP_DIR WAL_DIR [TARGET_TIME]" >&2
  exit 2
fi
BASE=$(realpath "$1")
WAL=$(realpath "$2")
TARGET=${3:-}
started=$(date +%s.%N)

# The server's own programs: Debian's newest version, else the directory of pg_ctl (the postgres image).
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$bindir" ] || bindir=$(dirname "$(command -v pg_ctl)")
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

DATA=$(mktemp -d "${TMPDIR:-/tmp}/restore-drill.XXXXXX")
# A free port: nothing answers on it (bash's /dev/tcp; the postgres image has no other tool for it).
PORT=${RESTORE_PORT:-}
while [ -z "$PORT" ] || (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
  PORT=$((20000 + RANDOM % 30000))
done
[ "$(id -u)" = 0 ] && chown postgres: "$DATA"
chmod 700 "$DATA"
cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    as_postgres "$bindir/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DATA" "$DATA.wal"
  fi
}
trap cleanup EXIT

for archive in "$BASE/base.tar.gz" "$BASE"/pg_wal.tar.gz; do
  if [ -e "$archive" ] && [ ! -r "$archive" ]; then
    echo "$archive cannot be read by $(id -un): run the drill as root or as the backup's owner" >&2
    exit 1
  fi
done
# Read by whoever runs the drill, unpacked by postgres (who owns the restored server's files).
as_postgres tar -xzf - -C "$DATA" <"$BASE/base.tar.gz"
if [ -f "$BASE/pg_wal.tar.gz" ]; then
  as_postgres tar -xzf - -C "$DATA/pg_wal" <"$BASE/pg_wal.tar.gz"
fi
# The server reads the archived WAL itself, as postgres: segments it may not read (copied there by root,
# mode 600) are restored from a copy it owns.
wal_unreadable() {
  local found
  found=$(runuser -u postgres -- find "$WAL" -maxdepth 1 -type f ! -readable -print -quit 2>/dev/null) || return 0
  [ -n "$found" ]
}
if [ "$(id -u)" = 0 ] && wal_unreadable; then
  mkdir "$DATA.wal"
  find "$WAL" -maxdepth 1 -type f -exec cp -p {} "$DATA.wal/" \;
  chown -R postgres: "$DATA.wal"
  chmod 700 "$DATA.wal"
  WAL="$DATA.wal"
fi
{
  echo "port = $PORT"
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = '$DATA'"
  echo "archive_mode = off"
  # The archive holds segments gzipped (%f.gz, as the compose archive_command writes them) or plain.
  echo "restore_command = 'if [ -f \"$WAL/%f.gz\" ]; then gzip -dc \"$WAL/%f.gz\" > \"%p\"; else cp \"$WAL/%f\" \"%p\"; fi'"
  [ -n "$TARGET" ] && echo "recovery_target_time = '$TARGET'"
  echo "recovery_target_action = 'promote'"
} | as_postgres tee -a "$DATA/postgresql.auto.conf" >/dev/null
# Settings of the backed-up server's own files that point elsewhere (Debian keeps them in /etc).
as_postgres touch "$DATA/recovery.signal"
if [ ! -f "$DATA/postgresql.conf" ]; then
  as_postgres touch "$DATA/postgresql.conf"
fi
if [ ! -f "$DATA/pg_hba.conf" ]; then
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_postgres tee "$DATA/pg_hba.conf" >/dev/null
fi

as_postgres "$bindir/pg_ctl" -D "$DATA" -l "$DATA/restore.log" -w -t 3600 \
  -o "-c config_file=$DATA/postgresql.conf -c hba_file=$DATA/pg_hba.conf -c ident_file=$DATA/pg_ident.conf -c data_directory=$DATA" \
  start >/dev/null

q() { as_postgres "$bindir/psql" -h "$DATA" -p "$PORT" -U "${PGUSER:-postgres}" -d "${PGDATABASE:-postgres}" -XAtqc "$1"; }
# Replaying the WAL: read-only connections may come first; done when the server leaves recovery.
deadline=$(($(date +%s) + ${RESTORE_TIMEOUT:-3600}))
until [ "$(q 'select pg_is_in_recovery()' 2>"$DATA/probe.err")" = f ]; do
  if (($(date +%s) > deadline)); then
    echo "the restored server did not finish recovery; its log:" >&2
    tail -n 20 "$DATA/restore.log" "$DATA/probe.err" >&2
    exit 1
  fi
  sleep 0.2
done
ready=$(date +%s.%N)

echo "restored to: ${TARGET:-the end of the archived WAL}"
for db in $(q "select datname from pg_database where datname not in ('postgres', 'template0', 'template1')"); do
  if [ "$(PGDATABASE=$db q "select to_regclass('journal_mark') is not null")" = t ]; then
    PGDATABASE=$db q "select format('database %s: %s marks, %s absences, %s lessons; latest mark change %s',
      current_database(),
      (select count(*) from journal_mark), (select count(*) from journal_attendance),
      (select count(*) from journal_lesson), (select max(history_date) from journal_historicalmark))"
    if [ -n "${DRILL_SQL:-}" ]; then
      echo "DRILL_SQL: $(PGDATABASE=$db q "$DRILL_SQL")"
    fi
  fi
done
printf 'RTO: %s s (base backup %s, WAL up to %s)\n' "$(awk "BEGIN { printf \"%.1f\", $ready - $started }")" "$(du -sh "$BASE" | cut -f1)" \
  "$(grep -o 'redo done at [0-9A-F/]*\|recovery stopping [^;]*' "$DATA/restore.log" | tail -n1)"
if [ "${KEEP:-0}" = 1 ]; then
  echo "kept running: $DATA on port $PORT"
fi
