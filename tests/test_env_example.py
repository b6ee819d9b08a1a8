""".env.example documents every variable the settings read; compose has its services."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ruamel.yaml import YAML

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS = BASE_DIR / "config" / "settings.py"
ENV_EXAMPLE = BASE_DIR / ".env.example"
COMPOSE = BASE_DIR / "docker-compose.yml"

APP_SERVICES = ("web", "worker", "beat")
SERVICES = (*APP_SERVICES, "proxy", "db", "redis", "backup")


def _first_string_argument(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _settings_variables() -> set[str]:
    """Names read through ``env.<type>("NAME")``, ``env("NAME")``, ``os.environ``, and the ``_from_file`` loop."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            is_env = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
            )
            is_os = isinstance(func, ast.Attribute) and (
                ast.unparse(func) in {"os.environ.get", "os.getenv", "os.environ.setdefault"}
            )
            name = _first_string_argument(node)
            if (is_env or is_os) and name:
                names.add(name)
            if isinstance(func, ast.Name) and func.id == "_from_file" and name:
                names.add(name)
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple | ast.List):
            calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
            if any(isinstance(c.func, ast.Name) and c.func.id == "_from_file" for c in calls):
                names.update(e.value for e in node.iter.elts if isinstance(e, ast.Constant))
    return names


def _env_example_names() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def _compose() -> dict:
    return YAML(typ="safe").load(COMPOSE.read_text(encoding="utf-8"))


def test_settings_parser_finds_the_variables_it_should():
    names = _settings_variables()

    # env.str, env.bool, env.list, env.int, env.float, env.db, env.email_url and the _from_file loop:
    assert {"DJANGO_ENV", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SESSION_COOKIE_AGE", "AXES_COOLOFF_HOURS"} <= names
    assert {"DATABASE_URL", "EMAIL_URL", "CELERY_BROKER_URL"} <= names
    assert len(names) >= 20


def test_every_variable_the_settings_read_is_in_env_example():
    missing = sorted(_settings_variables() - _env_example_names())

    assert missing == []


def test_env_example_names_nothing_the_project_does_not_use():
    compose_text = COMPOSE.read_text(encoding="utf-8")
    used_by_compose = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))

    unused = sorted(_env_example_names() - _settings_variables() - used_by_compose)

    assert unused == []


def test_every_variable_compose_interpolates_is_in_env_example():
    compose_text = COMPOSE.read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))

    assert interpolated
    assert sorted(interpolated - _env_example_names()) == []


def test_env_example_leaves_secrets_empty():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if re.match(r"^[A-Z][A-Z0-9_]*=", line)
    )

    assert values["SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""
    assert values["DJANGO_ENV"] == "production"


def test_compose_names_the_services():
    services = _compose()["services"]

    assert set(SERVICES) <= set(services)


def test_compose_runs_the_application_services_in_production_with_their_backing_services():
    services = _compose()["services"]

    for name in APP_SERVICES:
        service = services[name]
        assert service["environment"]["DJANGO_ENV"] == "production", name
        assert service["command"], name
        assert set(service["depends_on"]) == {"db", "redis"}, name
        assert "redis://redis:" in service["environment"]["CELERY_BROKER_URL"], name
        assert "@db:" in service["environment"]["DATABASE_URL"], name
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"], name
        assert "ports" not in services[name], f"{name} must not be published on the host"


def test_compose_archives_the_databases_wal_where_the_backup_service_reads_it():
    services = _compose()["services"]

    command = " ".join(services["db"]["command"])
    assert "archive_mode=on" in command and "/wal/%f.gz" in command
    assert "wal:/wal" in services["db"]["volumes"] and "wal:/wal" in services["backup"]["volumes"]
    assert "backup.sh loop" in " ".join(services["backup"]["entrypoint"])
