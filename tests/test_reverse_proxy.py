"""The deployment trusts one proxy's X-Forwarded-For (``TRUSTED_PROXY_COUNT=1``): compose ships that proxy and
reaches gunicorn only through it, and the proxy hands on the address the client connected from, whatever
the client wrote in the header. Otherwise a client could name the address the sign-in lock keys on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from ruamel.yaml import YAML

from tests.accounts.test_auth import BEHIND_ONE_PROXY, PASSWORD
from tests.conftest import World
from tests.faults.servers import _wait, free_port

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = BASE_DIR / "docker-compose.yml"
CADDYFILE = BASE_DIR / "scripts" / "compose" / "Caddyfile"
ENV_EXAMPLE = BASE_DIR / ".env.example"


def _env_example(name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, name
    return match.group(1)


def test_compose_reaches_the_web_only_through_the_one_proxy_the_settings_trust() -> None:
    services = YAML(typ="safe").load(COMPOSE.read_text(encoding="utf-8"))["services"]
    proxies = [name for name, service in services.items() if str(service.get("image", "")).startswith("caddy:")]

    assert "ports" not in services["web"], "gunicorn must not be published: only the proxy reaches it"
    assert proxies == ["proxy"]
    assert int(_env_example("TRUSTED_PROXY_COUNT")) == len(proxies)
    published = [port.rsplit(":", 1)[-1] for port in services["proxy"]["ports"]]
    assert sorted(published) == ["443", "80"]
    assert "./scripts/compose/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    assert "reverse_proxy {$UPSTREAM:web:8000}" in CADDYFILE.read_text(encoding="utf-8")
    # Every other service is published nowhere either.
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]


@pytest.fixture
def shipped_proxy(live_server: Any, tmp_path: Path) -> Iterator[str]:
    """The project's Caddyfile run by a real Caddy in front of the test server; its address."""
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (Debian's caddy package): the proxy compose ships")
    port = free_port()
    env = {
        **os.environ,
        "SITE_HOST": f"http://127.0.0.1:{port}",
        "UPSTREAM": live_server.url.removeprefix("http://"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    log = (tmp_path / "caddy.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - the test's own command line
        ["caddy", "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],  # noqa: S607
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: _answers(f"http://127.0.0.1:{port}/accounts/login/"), "caddy")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=10).status_code == 200
    except requests.RequestException:
        return False


def _sign_in(base: str, username: str, password: str, forwarded_for: str | None = None) -> int:
    """A browser's sign-in: the form's CSRF token first, then the POST; the answer's status (302: in)."""
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def test_through_the_shipped_proxy_a_forged_forwarded_for_does_not_escape_the_lock(
    shipped_proxy: str, transactional_db: None, world: World, settings: Any
) -> None:
    """Twelve wrong passwords, each claiming another address: the proxy replaces the claim with the address
    the client connected from, so the fifth locks that client and the right password is refused there."""
    for key, value in BEHIND_ONE_PROXY.items():
        setattr(settings, key, value)

    answers = [_sign_in(shipped_proxy, "teacher", "wrong-password", f"198.51.100.{n}") for n in range(1, 13)]

    assert answers[:4] == [200] * 4
    assert set(answers[4:]) == {429}
    assert _sign_in(shipped_proxy, "teacher", PASSWORD, "198.51.100.99") == 429
