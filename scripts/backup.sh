#!/usr/bin/env bash
# Base backups of the journal's PostgreSQL. The server archives its WAL itself (archive_command into
# $WAL_DIR, a segment at least every archive_timeout); a base backup plus that WAL restores the
# database to any moment since the backup (scripts/restore_drill.sh).
#
#   backup.sh once   one base backup now, then drop the backups past $BACKUP_KEEP and the WAL they needed
#   backup.sh loop   one a day at $BACKUP_AT (HH:MM, server time), the docker-compose `backup` service
#
# Connection: the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD); the user needs REPLICATION.
# BACKUP_DIR (default /backups) holds base/<UTC stamp>/ with base.tar.gz, pg_wal.tar.gz, backup_manifest;
# a backup still being written is base/<stamp>.partial and never counts.
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/backups}
WAL_DIR=${WAL_DIR:-/wal}
BACKUP_KEEP=${BACKUP_KEEP:-7}
BACKUP_AT=${BACKUP_AT:-02:30}

log() { echo "$(date -u +%FT%TZ) backup: $*"; }

prune() {
  local bases keep_from label oldest
  mapfile -t bases < <(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d ! -name '*.partial' | sort)
  if ((${#bases[@]} > BACKUP_KEEP)); then
    for old in "${bases[@]:0:${#bases[@]}-BACKUP_KEEP}"; do
      log "dropping $old"
      rm -rf "$old"
    done
  fi
  keep_from=$(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d ! -name '*.partial' | sort | head -n1)
  [ -n "$keep_from" ] || return 0
  # The oldest kept backup's first WAL segment: everything archived before it is no longer needed.
  label=$(tar -xzOf "$keep_from/base.tar.gz" backup_label)
  oldest=$(sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]\{24\}\))$/\1/p' <<<"$label")
  if [ -n "$oldest" ] && [ -d "$WAL_DIR" ]; then
    pg_archivecleanup -x .gz "$WAL_DIR" "$oldest"
    pg_archivecleanup "$WAL_DIR" "$oldest"
  fi
}

once() {
  local stamp target started
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  target="$BACKUP_DIR/base/$stamp"
  mkdir -p "$BACKUP_DIR/base"
  started=$(date +%s)
  log "base backup to $target"
  # -X fetch: the WAL of the backup's own span goes with it, so a backup restores even without the archive.
  pg_basebackup -D "$target.partial" -Ft -z -X fetch --checkpoint=fast --label="journal $stamp" --no-password
  mv "$target.partial" "$target"
  log "done in $(($(date +%s) - started)) s: $(du -sh "$target" | cut -f1)"
  prune
}

loop() {
  log "daily at $BACKUP_AT; WAL archived by the server into $WAL_DIR"
  [ -n "$(find "$BACKUP_DIR/base" -mindepth 1 -maxdepth 1 -type d ! -name '*.partial' 2>/dev/null)" ] || once
  while true; do
    now=$(date +%s)
    next=$(date -d "today $BACKUP_AT" +%s)
    ((next > now)) || next=$(date -d "tomorrow $BACKUP_AT" +%s)
    sleep $((next - now))
    once || log "FAILED; next try at the next $BACKUP_AT"
  done
}

case "${1:-}" in
  once) once ;;
  loop) loop ;;
  *) echo "usage: $0 once|loop" >&2; exit 2 ;;
esac
