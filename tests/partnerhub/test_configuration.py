"""Configuration in one place: every variable that the settings (and gunicorn.conf.py) read from the
environment is in the README's table and in `.env.example`, and neither names one that nothing reads; the
compose file is valid against the Compose Specification's schema and runs the service as the README says
(a migrate job first, a health check on every long-running service, `.env` passed to every container)."""

import ast
import json
import re
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
READ_BY = [ROOT / "partnerhub" / "settings.py", ROOT / "gunicorn.conf.py"]
# Read by docker-compose.yml itself (its own substitutions), not by the app.
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "WEB_PORT", "WORKER_CONCURRENCY"}
# The Compose Specification's JSON schema (github.com/compose-spec/compose-spec, schema/compose-spec.json).
COMPOSE_SCHEMA = ROOT / "tests" / "data" / "compose-spec.json"
ENV_READERS = {"get", "getenv", "env_bool", "env_list"}


def variables_read(path):
    """Names passed as a string to os.environ.get / os.getenv / env_bool / env_list, or as os.environ[...],
    or as `env=` (dj_database_url)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            is_environ = name in ENV_READERS and (
                not isinstance(func, ast.Attribute) or ast.unparse(func.value) in {"os.environ", "os"}
            )
            if is_environ and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
            names.update(
                keyword.value.value
                for keyword in node.keywords
                if keyword.arg == "env" and isinstance(keyword.value, ast.Constant)
            )
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def readme_table():
    """Every `NAME` in the first column of the table in the README's "Configuration" section."""
    names = set()
    section = (ROOT / "README.md").read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_column))
    return names


def env_example():
    names = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.append(match.group(1))
    return names


def app_variables():
    return set().union(*(variables_read(path) for path in READ_BY))


def test_the_scan_finds_what_the_settings_read():
    read = app_variables()
    assert {"SITE_URL", "DATABASE_URL", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "WEB_CONCURRENCY"} <= read


def test_every_variable_read_is_in_the_readme_table_and_nothing_else():
    documented = readme_table()
    assert sorted(app_variables() - documented) == [], "read by the settings but not in the README's table"
    assert sorted(documented - app_variables() - COMPOSE_ONLY) == [], "in the README but read by nothing"


def test_env_example_lists_every_variable_once_site_url_first():
    listed = env_example()
    assert listed[0] == "SITE_URL"
    assert len(listed) == len(set(listed)), "a variable is listed twice"
    assert sorted((app_variables() | COMPOSE_ONLY) - set(listed)) == [], "missing from .env.example"
    assert sorted(set(listed) - app_variables() - COMPOSE_ONLY) == [], "in .env.example but read by nothing"


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_compose_file_is_valid_against_the_compose_specification():
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    jsonschema.validate(compose(), schema, cls=jsonschema.Draft7Validator)


def test_compose_migrates_once_then_starts_the_app_with_health_checks_and_the_env_file():
    services = compose()["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert service["env_file"] == [{"path": ".env", "required": False}], name
        assert "migrate" not in " ".join(map(str, service["command"])), f"{name} must not migrate on start"
    for name, service in services.items():
        if name != "migrate":
            assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "/tmp" not in " ".join(services["beat"]["command"])  # beat's state survives a restart


def test_the_image_runs_production_defaults_without_migrating():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "DJANGO_DEBUG=0" in dockerfile
    assert "collectstatic" in dockerfile.split("CMD", 1)[0]  # at build time
    cmd = [line for line in dockerfile.splitlines() if line.startswith("CMD")][-1]
    assert "migrate" not in cmd and "collectstatic" not in cmd
    assert "gunicorn.conf.py" in cmd
    assert "HEALTHCHECK" in dockerfile
