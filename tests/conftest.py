"""Shared fixtures: a fresh, empty, isolated database per test, on SQLite (temp file) always
and on PostgreSQL (a schema per test) when ATENDIMENTO_TEST_DATABASE_URL is set; and a
sandbox (the simulated Telegram) in strict wire mode."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from atendimento.sandbox import Sandbox
from atendimento.storage import (
    Database,
    Storage,
    Tables,
    bind_tables,
    migrate,
    open_database,
)

POSTGRES_ENV = "ATENDIMENTO_TEST_DATABASE_URL"


@pytest.fixture
async def sandbox():
    """A started sandbox; at the end, no raw method may have been left unanswered."""
    box = Sandbox(strict=True)
    await box.start()
    yield box
    await box.close()
    assert box.server.unimplemented == [], "the bot called raw methods the sandbox lacks"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Parametrized here rather than with fixture params so that PostgreSQL is simply absent
    # (not skipped) when no server is configured.
    if "database_backend" in metafunc.fixturenames:
        backends = ["sqlite"]
        if os.environ.get(POSTGRES_ENV):
            backends.append("postgresql")
        metafunc.parametrize("database_backend", backends, indirect=True)


@pytest.fixture
def database_backend(request: pytest.FixtureRequest) -> str:
    """'sqlite' or 'postgresql'; every test using a database runs once per backend."""
    return request.param


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Database]:
    """A connection to the configured server, used to create and drop per-test schemas."""
    admin = open_database(os.environ[POSTGRES_ENV])
    try:
        yield admin
    finally:
        admin.close()


@pytest.fixture
def database_url(
    database_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The URL of a fresh, empty database that no other test sees."""
    if database_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'atendimento.db'}"
        return
    admin = request.getfixturevalue("postgres_admin")
    schema = f"atd_test_{uuid.uuid4().hex[:16]}"
    admin.execute_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_search_path(os.environ[POSTGRES_ENV], schema)
    finally:
        admin.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')


def with_search_path(url: str, schema: str) -> str:
    """The PostgreSQL URL with libpq `options` making `schema` the only schema searched."""
    parts = urlsplit(url)
    query = urlencode({"options": f"-csearch_path={schema}"})
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit(parts._replace(query=joined))


@pytest.fixture
def empty_db(database_url: str) -> Iterator[Database]:
    """An open peewee Database with no tables at all (for migration tests)."""
    db = open_database(database_url)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """An open peewee Database at the latest schema version."""
    migrate(empty_db)
    return empty_db


@pytest.fixture
def tables(db: Database) -> Tables:
    """The current models bound to `db`, for calling repository functions directly."""
    return bind_tables(db)


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    """A migrated Storage with its worker thread, closed after the test."""
    store = Storage.open(database_url)
    try:
        await store.migrate()
        yield store
    finally:
        await store.aclose()
