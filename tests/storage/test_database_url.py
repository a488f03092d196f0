"""open_database: URL forms, SQLite pragmas, StorageError messages that never leak passwords."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from atendimento.storage import Storage, StorageError, open_database, redact_url
from atendimento.storage.db import is_postgres, is_sqlite

SECRET = "s3cr3t-p4ss"


def test_sqlite_absolute_path_creates_parent_directory(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "desk.db"
    db = open_database(f"sqlite:///{target}")
    try:
        assert is_sqlite(db)
        assert db.database == str(target)
        assert target.parent.is_dir()
        db.execute_sql("CREATE TABLE probe (x INTEGER)")
        assert target.exists()
    finally:
        db.close()


def test_sqlite_relative_path_is_relative_to_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = open_database("sqlite:///data/desk.db")
    assert db.database == "data/desk.db"
    assert (tmp_path / "data").is_dir()


def test_sqlite_memory() -> None:
    db = open_database("sqlite:///:memory:")
    try:
        assert db.database == ":memory:"
        assert db.execute_sql("SELECT 1").fetchone() == (1,)
    finally:
        db.close()


def test_sqlite_file_runs_in_wal_with_foreign_keys_and_pragmas(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == -16000
    finally:
        db.close()


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        db.execute_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        db.execute_sql("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))")
        with pytest.raises(Exception, match="FOREIGN KEY"):
            db.execute_sql("INSERT INTO child (parent_id) VALUES (42)")
    finally:
        db.close()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_url_becomes_connection_parameters(scheme: str) -> None:
    db = open_database(f"{scheme}://desk:p%40ss@db.example:6543/atendimento?sslmode=require")
    assert is_postgres(db)
    assert db.database == "atendimento"
    assert db.connect_params == {
        "user": "desk",
        "password": "p@ss",
        "host": "db.example",
        "port": 6543,
        "sslmode": "require",
    }


def test_postgres_url_without_credentials_or_port() -> None:
    db = open_database("postgresql://localhost/desk")
    assert db.database == "desk"
    assert db.connect_params == {"host": "localhost"}


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://root:{SECRET}@localhost/desk",
        f"mongodb://root:{SECRET}@localhost/desk",
        "desk.db",
        "",
    ],
)
def test_unsupported_url_is_a_storage_error(url: str) -> None:
    with pytest.raises(StorageError, match="unsupported database URL") as caught:
        open_database(url)
    assert SECRET not in str(caught.value)
    assert "sqlite:///" in str(caught.value)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:relative.db"])
def test_malformed_sqlite_url_is_a_storage_error(url: str) -> None:
    with pytest.raises(StorageError, match="bad SQLite URL"):
        open_database(url)


def test_postgres_bad_port_hides_password() -> None:
    with pytest.raises(StorageError, match="bad PostgreSQL URL") as caught:
        open_database(f"postgresql://desk:{SECRET}@localhost:notaport/desk")
    assert SECRET not in str(caught.value)
    assert "***" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_postgres_missing_database_name_hides_password() -> None:
    with pytest.raises(StorageError, match="database name") as caught:
        open_database(f"postgresql://desk:{SECRET}@localhost:5432/")
    assert SECRET not in str(caught.value)


def test_missing_postgres_driver_is_a_clear_storage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes `import` fail as if the package were not installed.
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StorageError, match="driver is not installed") as caught:
        open_database(f"postgresql://desk:{SECRET}@localhost:5432/desk")
    message = str(caught.value)
    assert SECRET not in message
    assert "atendimento[postgres]" in message
    assert "postgresql://desk:***@localhost:5432/desk" in message


async def test_unreachable_server_error_hides_password() -> None:
    # Port 1 on localhost refuses at once: the connection error surfaces on first use.
    storage = Storage.open(f"postgresql://desk:{SECRET}@127.0.0.1:1/desk?connect_timeout=2")
    try:
        with pytest.raises(StorageError) as caught:
            await storage.migrate()
        assert SECRET not in str(caught.value)
    finally:
        await storage.aclose()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql://desk:{SECRET}@h:1/d", "postgresql://desk:***@h:1/d"),
        (f"postgres://:{SECRET}@h/d", "postgres://:***@h/d"),
        ("postgresql://desk@h/d", "postgresql://desk@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
