"""Exit 0 when the named service answers at the URL, 1 otherwise (used by scripts/test.sh)."""

from __future__ import annotations

import sys
from urllib.parse import urlparse


def main() -> int:
    kind, url = sys.argv[1], sys.argv[2]
    try:
        if kind == "redis":
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        else:
            import psycopg

            parts = urlparse(url)
            # Connect to the maintenance database: the test database may not exist yet.
            psycopg.connect(
                host=parts.hostname,
                port=parts.port or 5432,
                user=parts.username,
                password=parts.password,
                dbname="postgres",
                connect_timeout=2,
            ).close()
    except Exception:  # noqa: BLE001 - any failure means "not up"
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
