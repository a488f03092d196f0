"""Applies the numbered migrations in `atendimento.storage.migrations` (the core), then each
enabled feature's own numbered migrations, each in a transaction with the row that records it
(in schema_version for the core, feature_schema_version for a feature), so a rerun (or a rerun
after a crash) is safe.

Features are versioned apart from the core so that one can be added, evolved or disabled
without renumbering anything else: a feature's versions count 1..N on their own, and a
feature left out of a run (disabled) keeps its tables and its rows untouched."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from peewee import Database, PeeweeException, Table, fn

from atendimento.storage import migrations as migrations_package
from atendimento.storage.db import database_error, is_postgres, is_sqlite
from atendimento.storage.errors import StorageError
from atendimento.storage.fields import to_db_datetime

VERSION_TABLE = "schema_version"
FEATURE_VERSION_TABLE = "feature_schema_version"

# Frozen like a migration: this table must read the same for every release.
_VERSION_DDL = (
    f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
    "version INTEGER NOT NULL PRIMARY KEY, "
    "name VARCHAR(100) NOT NULL, "
    "applied_at VARCHAR(32) NOT NULL)"
)

# Frozen too. Created by the migrator rather than by a core migration, so that the core's
# numbering stays what it is and a database from before features simply gains it.
_FEATURE_VERSION_DDL = (
    f"CREATE TABLE IF NOT EXISTS {FEATURE_VERSION_TABLE} ("
    "feature VARCHAR(64) NOT NULL, "
    "version INTEGER NOT NULL, "
    "name VARCHAR(100) NOT NULL, "
    "applied_at VARCHAR(32) NOT NULL, "
    "PRIMARY KEY (feature, version))"
)

_MODULE_NAME = re.compile(r"^m(\d{4})_(\w+)$")
# Fits the VARCHAR(64) column and reads well in table-name prefixes and log lines.
_FEATURE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Database], None]


@dataclass(frozen=True, slots=True)
class FeatureMigrations:
    """A feature's own numbered migrations (1..N without gaps, like the core's).

    Checked when built, so that a misnamed feature or a gap fails where it is declared rather
    than at start-up; `migrations` is kept as a sorted tuple, which a caller cannot change
    after the check.
    """

    feature: str
    migrations: Sequence[Migration]

    def __post_init__(self) -> None:
        if not isinstance(self.feature, str) or not _FEATURE_NAME.fullmatch(self.feature):
            raise StorageError(
                f"feature name {self.feature!r} must be lower-case letters, digits and _, "
                "starting with a letter, at most 64 characters"
            )
        ordered = _checked(self.migrations, f"the migrations of feature {self.feature!r}")
        object.__setattr__(self, "migrations", tuple(ordered))


def discover() -> list[Migration]:
    """The core migrations shipped in the package, in version order (1, 2, ... without gaps)."""
    return discover_package(migrations_package.__name__)


def discover_package(package: str) -> list[Migration]:
    """The `mNNNN_name` modules of an importable package, as migrations in version order
    (1, 2, ... without gaps): how the core and a feature alike ship theirs."""
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        raise StorageError(f"migrations package {package!r} cannot be imported: {exc}") from exc
    path = getattr(module, "__path__", None)
    if path is None:
        raise StorageError(f"{package!r} is a module, not a package of migrations")
    found = []
    for info in pkgutil.iter_modules(path):
        match = _MODULE_NAME.match(info.name)
        if match is None:
            continue
        migration = importlib.import_module(f"{module.__name__}.{info.name}")
        found.append(Migration(int(match.group(1)), match.group(2), migration.apply))
    return _checked(found, f"the migrations in {package}")


def latest_version(migrations: Sequence[Migration] | None = None) -> int:
    known = _core(migrations)
    return known[-1].version if known else 0


def current_version(db: Database) -> int:
    """The highest version recorded in the database; 0 for an empty database."""
    with _connected(db):
        if not db.table_exists(VERSION_TABLE):
            return 0
        return _recorded_version(db)


def feature_versions(db: Database) -> dict[str, int]:
    """The version each feature recorded in the database has reached, enabled or not;
    {} for an empty database or one from before features."""
    with _connected(db):
        if not db.table_exists(FEATURE_VERSION_TABLE):
            return {}
        return _recorded_feature_versions(db)


def pending(
    db: Database,
    migrations: Sequence[Migration] | None = None,
    features: Iterable[FeatureMigrations] = (),
) -> list[int]:
    """Core versions `migrate` would apply, in order; raises where `migrate` would refuse,
    for a feature too (`pending_features` tells which feature versions it would apply)."""
    known = _core(migrations)
    wanted = _unique(features)
    current = current_version(db)
    _refuse_newer(current, known)
    _refuse_newer_features(feature_versions(db) if wanted else {}, wanted)
    return [m.version for m in known if m.version > current]


def pending_features(
    db: Database, features: Iterable[FeatureMigrations]
) -> dict[str, list[int]]:
    """Per feature given, the versions `migrate` would apply, in order ([] when up to date)."""
    wanted = _unique(features)
    recorded = feature_versions(db) if wanted else {}
    _refuse_newer_features(recorded, wanted)
    return {
        feature.feature: [
            m.version for m in feature.migrations if m.version > recorded.get(feature.feature, 0)
        ]
        for feature in wanted
    }


def migrate(
    db: Database,
    migrations: Sequence[Migration] | None = None,
    features: Iterable[FeatureMigrations] = (),
) -> list[int]:
    """Brings the core schema to the latest version, then each of `features` (in the order
    given) to its own; returns the core versions applied ([] if none).

    Everything is checked before anything is applied: a feature the database has at a
    version newer than this release knows stops the run before the core is touched.
    """
    known = _core(migrations)
    wanted = _unique(features)
    with _connected(db):
        _refuse_newer_recorded(db, wanted)
        applied = _migrate(db, known)
        _migrate_features(db, wanted)
        return applied


def migrate_features(
    db: Database, features: Iterable[FeatureMigrations]
) -> dict[str, list[int]]:
    """Brings each of `features` (in the order given) to its latest version, without the
    core (`migrate` runs the core first, then this); returns, per feature given, the versions
    applied ([] if none). Features recorded in the database but not given are left alone."""
    wanted = _unique(features)
    with _connected(db):
        _refuse_newer_recorded(db, wanted)
        return _migrate_features(db, wanted)


def _migrate(db: Database, known: list[Migration]) -> list[int]:
    with db.atomic():
        db.execute_sql(_VERSION_DDL)

    def recorded() -> int:
        current = _recorded_version(db)
        _refuse_newer(current, known)
        return current

    def record(migration: Migration) -> None:
        _versions(db).insert(version=migration.version, name=migration.name,
                             applied_at=to_db_datetime(datetime.now(UTC))).execute()

    return _apply_in_order(db, known, lambda: _lock_versions(db), recorded, record)


def _apply_in_order(db: Database, migrations: Sequence[Migration], lock: Callable[[], None],
                    recorded: Callable[[], int],
                    record: Callable[[Migration], None]) -> list[int]:
    """Each migration newer than the recorded version, in its own transaction with the row
    that records it; the version is re-read under the lock, since another process may have
    migrated while this one waited. Returns the versions applied."""
    applied: list[int] = []
    for migration in migrations:
        with db.atomic():
            lock()
            if migration.version <= recorded():
                continue
            migration.apply(db)
            record(migration)
        applied.append(migration.version)
    return applied


def _migrate_features(
    db: Database, features: list[FeatureMigrations]
) -> dict[str, list[int]]:
    if not features:
        # A run without features leaves the schema exactly as the core alone builds it.
        return {}
    with db.atomic():
        # Under the core's lock, so that two migrators cannot race to create the table; a
        # bare database (migrate_features alone) may lack schema_version, which that needs.
        db.execute_sql(_VERSION_DDL)
        _lock_versions(db)
        db.execute_sql(_FEATURE_VERSION_DDL)
    return {feature.feature: _migrate_feature(db, feature) for feature in features}


def _migrate_feature(db: Database, feature: FeatureMigrations) -> list[int]:
    def recorded() -> int:
        current = _recorded_feature_version(db, feature.feature)
        _refuse_newer_feature(feature, current)
        return current

    def record(migration: Migration) -> None:
        _feature_versions(db).insert(feature=feature.feature, version=migration.version,
                                     name=migration.name,
                                     applied_at=to_db_datetime(datetime.now(UTC))).execute()

    return _apply_in_order(db, feature.migrations, lambda: _lock_feature_versions(db),
                           recorded, record)


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


def _core(migrations: Sequence[Migration] | None) -> list[Migration]:
    return _checked(migrations) if migrations is not None else discover()


def _checked(migrations: Sequence[Migration], what: str = "migrations") -> list[Migration]:
    ordered = sorted(migrations, key=lambda m: m.version)
    expected = list(range(1, len(ordered) + 1))
    if [m.version for m in ordered] != expected:
        versions = [m.version for m in ordered]
        raise StorageError(f"{what} must be numbered 1..N without gaps, found {versions}")
    return ordered


def _unique(features: Iterable[FeatureMigrations]) -> list[FeatureMigrations]:
    """The features as a list, refusing one given twice: two sets of migrations for one
    name would race for the same version numbers."""
    wanted = list(features)
    seen: set[str] = set()
    for feature in wanted:
        if not isinstance(feature, FeatureMigrations):
            raise StorageError(f"expected FeatureMigrations, got {feature!r}")
        if feature.feature in seen:
            raise StorageError(f"feature {feature.feature!r} is given more than once")
        seen.add(feature.feature)
    return wanted


def _versions(db: Database) -> Table:
    return Table(VERSION_TABLE, ("version", "name", "applied_at")).bind(db)


def _feature_versions(db: Database) -> Table:
    return Table(FEATURE_VERSION_TABLE, ("feature", "version", "name", "applied_at")).bind(db)


def _recorded_version(db: Database) -> int:
    table = _versions(db)
    value = table.select(fn.MAX(table.version)).scalar()
    return int(value or 0)


def _recorded_feature_version(db: Database, feature: str) -> int:
    table = _feature_versions(db)
    value = table.select(fn.MAX(table.version)).where(table.feature == feature).scalar()
    return int(value or 0)


def _recorded_feature_versions(db: Database) -> dict[str, int]:
    table = _feature_versions(db)
    query = (table.select(table.feature, fn.MAX(table.version))
             .group_by(table.feature).order_by(table.feature).tuples())
    return {feature: int(version) for feature, version in query}


def _lock_versions(db: Database) -> None:
    # SQLite databases from open_database begin transactions IMMEDIATE, which already holds
    # the single write lock; PostgreSQL needs an explicit table lock to serialise migrators.
    if is_postgres(db):
        db.execute_sql(f"LOCK TABLE {VERSION_TABLE} IN EXCLUSIVE MODE")


def _lock_feature_versions(db: Database) -> None:
    """Serialises a feature migration with every other migrator (PostgreSQL; see
    `_lock_versions` for SQLite). schema_version is locked too, and first, as the core takes
    it: a feature's migration may build on core tables that a core migrator is changing, and
    one order for both locks means two migrators cannot deadlock."""
    if is_postgres(db):
        db.execute_sql(
            f"LOCK TABLE {VERSION_TABLE}, {FEATURE_VERSION_TABLE} IN EXCLUSIVE MODE"
        )


def _refuse_newer(current: int, known: Sequence[Migration]) -> None:
    latest = known[-1].version if known else 0
    if current > latest:
        raise StorageError(
            f"the database is at schema version {current}, newer than this release knows "
            f"({latest}); upgrade atendimento instead of running an older version on it"
        )


def _refuse_newer_recorded(db: Database, features: list[FeatureMigrations]) -> None:
    """Refuses up front, outside the lock, so that a refused run changes nothing (the check
    under the lock stays the one that counts; it cannot see a feature without migrations)."""
    if features and db.table_exists(FEATURE_VERSION_TABLE):
        _refuse_newer_features(_recorded_feature_versions(db), features)


def _refuse_newer_features(recorded: dict[str, int], features: list[FeatureMigrations]) -> None:
    for feature in features:
        _refuse_newer_feature(feature, recorded.get(feature.feature, 0))


def _refuse_newer_feature(feature: FeatureMigrations, current: int) -> None:
    latest = len(feature.migrations)  # numbered 1..N, so N is the latest
    if current > latest:
        raise StorageError(
            f"the database has feature {feature.feature!r} at version {current}, newer than "
            f"this release knows ({latest}); upgrade atendimento instead of running an older "
            "version on it"
        )
