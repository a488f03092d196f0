"""Applies the numbered migrations in `atendimento.storage.migrations`, each in a transaction
with the schema_version row that records it, so a rerun (or a rerun after a crash) is safe."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from peewee import Database, PeeweeException, Table, fn

from atendimento.storage import migrations as migrations_package
from atendimento.storage.db import database_error, is_postgres, is_sqlite
from atendimento.storage.errors import StorageError
from atendimento.storage.fields import to_db_datetime

VERSION_TABLE = "schema_version"

# Frozen like a migration: this table must read the same for every release.
_VERSION_DDL = (
    f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
    "version INTEGER NOT NULL PRIMARY KEY, "
    "name VARCHAR(100) NOT NULL, "
    "applied_at VARCHAR(32) NOT NULL)"
)

_MODULE_NAME = re.compile(r"^m(\d{4})_(\w+)$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Database], None]


def discover() -> list[Migration]:
    """The migrations shipped in the package, in version order (1, 2, ... without gaps)."""
    found = []
    for info in pkgutil.iter_modules(migrations_package.__path__):
        match = _MODULE_NAME.match(info.name)
        if match is None:
            continue
        module = importlib.import_module(f"{migrations_package.__name__}.{info.name}")
        found.append(Migration(int(match.group(1)), match.group(2), module.apply))
    return _checked(found)


def latest_version(migrations: Sequence[Migration] | None = None) -> int:
    known = _checked(migrations) if migrations is not None else discover()
    return known[-1].version if known else 0


def current_version(db: Database) -> int:
    """The highest version recorded in the database; 0 for an empty database."""
    with _connected(db):
        if not db.table_exists(VERSION_TABLE):
            return 0
        return _recorded_version(db)


def pending(db: Database, migrations: Sequence[Migration] | None = None) -> list[int]:
    """Versions `migrate` would apply, in order."""
    known = _checked(migrations) if migrations is not None else discover()
    current = current_version(db)
    _refuse_newer(current, known)
    return [m.version for m in known if m.version > current]


def migrate(db: Database, migrations: Sequence[Migration] | None = None) -> list[int]:
    """Brings the schema to the latest version; returns the versions applied ([] if none)."""
    known = _checked(migrations) if migrations is not None else discover()
    with _connected(db):
        return _migrate(db, known)


def _migrate(db: Database, known: list[Migration]) -> list[int]:
    with db.atomic():
        db.execute_sql(_VERSION_DDL)
    applied: list[int] = []
    for migration in known:
        with db.atomic():
            # Re-read under the lock: another process may have migrated while we waited.
            _lock_versions(db)
            current = _recorded_version(db)
            _refuse_newer(current, known)
            if migration.version <= current:
                continue
            migration.apply(db)
            _versions(db).insert(
                version=migration.version,
                name=migration.name,
                applied_at=to_db_datetime(datetime.now(UTC)),
            ).execute()
        applied.append(migration.version)
    return applied


@contextmanager
def _connected(db: Database) -> Iterator[None]:
    """Driver errors become StorageError; a connection opened here is closed afterwards.

    Closing matters for the caller that migrates at start-up and then hands the database to
    a Storage: the migrating thread's connection would otherwise stay open unused. An SQLite
    in-memory database lives only as long as its connection, so that one stays open.
    """
    opened_here = db.is_closed() and not (is_sqlite(db) and db.database == ":memory:")
    try:
        yield
    except PeeweeException as exc:
        raise database_error(db, exc, "database error") from exc
    finally:
        if opened_here and not db.is_closed() and not db.in_transaction():
            db.close()


def _checked(migrations: Sequence[Migration]) -> list[Migration]:
    ordered = sorted(migrations, key=lambda m: m.version)
    expected = list(range(1, len(ordered) + 1))
    if [m.version for m in ordered] != expected:
        versions = [m.version for m in ordered]
        raise StorageError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return ordered


def _versions(db: Database) -> Table:
    return Table(VERSION_TABLE, ("version", "name", "applied_at")).bind(db)


def _recorded_version(db: Database) -> int:
    table = _versions(db)
    value = table.select(fn.MAX(table.version)).scalar()
    return int(value or 0)


def _lock_versions(db: Database) -> None:
    # SQLite databases from open_database begin transactions IMMEDIATE, which already holds
    # the single write lock; PostgreSQL needs an explicit table lock to serialise migrators.
    if is_postgres(db):
        db.execute_sql(f"LOCK TABLE {VERSION_TABLE} IN EXCLUSIVE MODE")


def _refuse_newer(current: int, known: Sequence[Migration]) -> None:
    latest = known[-1].version if known else 0
    if current > latest:
        raise StorageError(
            f"the database is at schema version {current}, newer than this release knows "
            f"({latest}); upgrade atendimento instead of running an older version on it"
        )
