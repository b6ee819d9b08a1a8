#!/bin/sh
# Run once by the postgres image when it creates the database: the backup service's pg_basebackup
# connects over the compose network with the replication protocol, which the image's pg_hba.conf
# does not let in by default.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
