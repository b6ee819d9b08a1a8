"""Real servers a fault test starts, breaks and mends by itself: a Redis of its own on a free port and a
throw-away PostgreSQL cluster (Debian's ``pg_createcluster``). The suite's own servers are never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(check: object, what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"{what} did not come up in {START_SECONDS} s")


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class RedisServer:
    """``redis-server`` on its own port, nothing kept on disk. ``stop``/``start`` take it down and bring it
    back on the same port; ``hang``/``resume`` freeze it (it accepts connections and never answers)."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(lambda: _listening(self.port), f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def hang(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: the broker fault tests start a Redis of their own")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class PostgresCluster:
    """A cluster made for one test (trust authentication on 127.0.0.1, its own port), restarted at will."""

    version: str
    name: str
    port: int

    def ctl(self, action: str, *options: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action, *options],
            check=True,
            capture_output=True,
        )

    def restart(self, mode: str = "immediate") -> None:
        """``immediate``: the server dies as in a crash (no checkpoint) and recovers on start."""
        self.ctl("restart", "-m", mode)


@contextmanager
def postgres_cluster(*settings: str) -> Iterator[PostgresCluster]:
    """``settings``: ``name=value`` server settings of the new cluster (``archive_mode=on``, …)."""
    if shutil.which("pg_createcluster") is None or not Path("/etc/postgresql").is_dir():
        pytest.skip("pg_createcluster (Debian's postgresql-common) is not here: no throw-away cluster to restart")
    if os.geteuid() != 0:
        pytest.skip("making a throw-away PostgreSQL cluster needs root (it runs as the postgres user)")
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    cluster = PostgresCluster(version=version, name=f"faults_{uuid.uuid4().hex[:8]}", port=free_port())
    options = [item for setting in settings for item in ("-o", setting)]
    subprocess.run(
        ["pg_createcluster", "--port", str(cluster.port), "--start", *options, version, cluster.name, "--",
         "--auth=trust", "--no-sync"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    try:
        _wait(lambda: _listening(cluster.port), f"the PostgreSQL cluster on port {cluster.port}")
        yield cluster
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, cluster.name], capture_output=True)


@contextmanager
def database_moved_to(cluster: PostgresCluster) -> Iterator[None]:
    """The test's database, as committed so far, copied into ``cluster``; the test's connection talks to the
    copy until the block ends."""
    db = connection.settings_dict
    name, port = db["NAME"], db["PORT"]
    target = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"]
    subprocess.run(["createdb", *target, name], check=True, capture_output=True)
    dump = subprocess.Popen(
        ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(port or 5432), "-U", db["USER"], "-Fc", name],
        stdout=subprocess.PIPE,
    )
    subprocess.run(["pg_restore", *target, "--no-owner", "-d", name], stdin=dump.stdout, check=True)
    assert dump.wait() == 0
    connection.close()
    db["PORT"] = str(cluster.port)
    try:
        yield
    finally:
        connection.close()
        db["PORT"] = port
