"""Deployment files checked statically: no Docker engine runs on these machines."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from atendimento.config import SETTINGS

ROOT = Path(__file__).parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_has_desk_and_database_with_named_volumes():
    spec = compose()
    assert set(spec["services"]) == {"desk", "db"}
    assert set(spec["volumes"]) == {"db-data", "desk-data"}
    named = {v.split(":")[0] for s in spec["services"].values() for v in s.get("volumes", [])
             if not v.startswith(".")}
    assert named == set(spec["volumes"])


def test_database_has_health_check_and_desk_waits_for_it():
    services = compose()["services"]
    check = services["db"]["healthcheck"]
    assert "pg_isready" in " ".join(check["test"])
    assert services["desk"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_both_services_restart_unless_stopped_and_desk_reads_env_file():
    services = compose()["services"]
    assert {s["restart"] for s in services.values()} == {"unless-stopped"}
    assert services["desk"]["env_file"] == ".env"


def test_desk_environment_names_are_real_settings():
    desk_env = compose()["services"]["desk"]["environment"]
    known = {s.name for s in SETTINGS}
    assert set(desk_env) <= known
    # The database URL points at the db service with the credentials the db service is given.
    db_env = compose()["services"]["db"]["environment"]
    url = desk_env["DATABASE_URL"]
    assert url.startswith(f"postgresql://{db_env['POSTGRES_USER']}:")
    assert url.endswith(f"@db:5432/{db_env['POSTGRES_DB']}")


def test_dockerfile_is_slim_non_root_with_data_volume():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.1\d-slim", text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert "VOLUME" in text and "/app/data" in text
    assert 'CMD ["atendimento", "run"]' in text
    data_dir = re.search(r"DATA_DIR=(\S+)", text).group(1)
    assert data_dir == "/app/data"


def test_desk_has_a_health_check_on_healthz():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    desk = compose["services"]["desk"]
    assert desk["environment"]["HTTP_LISTEN"].endswith(":8080")
    check = " ".join(desk["healthcheck"]["test"])
    assert "http://127.0.0.1:8080/healthz" in check and "urlopen" in check
