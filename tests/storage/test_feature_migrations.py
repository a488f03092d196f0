"""Feature migrations: each feature's own numbered migrations, applied after the core and
recorded in feature_schema_version; features evolve apart, a disabled one is left alone."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from atendimento.storage import (
    Database,
    FeatureMigrations,
    Storage,
    StorageError,
    current_version,
    feature_versions,
    latest_version,
    migrate,
    migrate_features,
    migrate_url,
    open_database,
    pending,
    pending_features,
)
from atendimento.storage.migrator import (
    FEATURE_VERSION_TABLE,
    VERSION_TABLE,
    Migration,
    discover,
    discover_package,
)

TEST_PACKAGE = "feature_migrations_pkg"  # tests/storage/feature_migrations_pkg


def creating(prefix: str, version: int, calls: list[str] | None = None) -> Migration:
    """A migration creating table `<prefix>_<version>`, noting its run in `calls`."""
    def apply(db: Database) -> None:
        if calls is not None:
            calls.append(f"{prefix}_{version}")
        db.execute_sql(f"CREATE TABLE {prefix}_{version} (id INTEGER PRIMARY KEY)")

    return Migration(version, f"{prefix}_{version}", apply)


def feature(name: str, versions: int, calls: list[str] | None = None) -> FeatureMigrations:
    """Feature `name` at `versions`, its migrations creating tables feat_<name>_<version>."""
    return FeatureMigrations(
        name, [creating(f"feat_{name}", v, calls) for v in range(1, versions + 1)])


def feature_rows(db: Database) -> list[tuple[object, ...]]:
    return list(db.execute_sql(
        f"SELECT feature, version, name FROM {FEATURE_VERSION_TABLE} ORDER BY feature, version"))


def core_rows(db: Database) -> list[tuple[object, ...]]:
    return list(db.execute_sql(f"SELECT version, name FROM {VERSION_TABLE} ORDER BY version"))


@pytest.fixture
def test_package(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The name of the test package, importable for this test only."""
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    yield TEST_PACKAGE
    for name in [n for n in sys.modules if n.partition(".")[0] == TEST_PACKAGE]:
        del sys.modules[name]


def test_feature_migrations_run_after_the_core_and_are_recorded(empty_db: Database) -> None:
    calls: list[str] = []
    core = [creating("core", 1, calls), creating("core", 2, calls)]

    applied = migrate(empty_db, core, features=[feature("faq", 2, calls)])

    assert applied == [1, 2]  # the core's versions, as before features
    assert calls == ["core_1", "core_2", "feat_faq_1", "feat_faq_2"]
    assert {"feat_faq_1", "feat_faq_2", FEATURE_VERSION_TABLE} <= set(empty_db.get_tables())
    assert feature_rows(empty_db) == [("faq", 1, "feat_faq_1"), ("faq", 2, "feat_faq_2")]
    assert feature_versions(empty_db) == {"faq": 2}
    assert current_version(empty_db) == 2


def test_real_core_then_a_feature(empty_db: Database) -> None:
    faq = feature("faq", 1)
    assert pending(empty_db, features=[faq]) == list(range(1, latest_version() + 1))
    assert pending_features(empty_db, [faq]) == {"faq": [1]}

    assert migrate(empty_db, features=[faq]) == list(range(1, latest_version() + 1))

    assert current_version(empty_db) == latest_version()
    assert feature_versions(empty_db) == {"faq": 1}
    assert pending(empty_db, features=[faq]) == []
    assert pending_features(empty_db, [faq]) == {"faq": []}


def test_rerun_applies_nothing(empty_db: Database) -> None:
    calls: list[str] = []
    faq = feature("faq", 2, calls)
    migrate(empty_db, [creating("core", 1)], features=[faq])
    before = core_rows(empty_db), feature_rows(empty_db), sorted(empty_db.get_tables())
    calls.clear()

    assert migrate(empty_db, [creating("core", 1)], features=[faq]) == []
    assert migrate_features(empty_db, [faq]) == {"faq": []}

    assert calls == []
    assert (core_rows(empty_db), feature_rows(empty_db), sorted(empty_db.get_tables())) == before


def test_features_evolve_independently(empty_db: Database) -> None:
    calls: list[str] = []
    core = [creating("core", 1)]
    migrate(empty_db, core, features=[feature("a", 2, calls), feature("b", 1, calls)])
    assert feature_versions(empty_db) == {"a": 2, "b": 1}
    calls.clear()

    # The next release adds b's version 2 and nothing else.
    release = [feature("a", 2, calls), feature("b", 2, calls)]
    assert pending_features(empty_db, release) == {"a": [], "b": [2]}
    assert migrate_features(empty_db, release) == {"a": [], "b": [2]}

    assert calls == ["feat_b_2"]
    assert feature_versions(empty_db) == {"a": 2, "b": 2}
    assert feature_rows(empty_db) == [("a", 1, "feat_a_1"), ("a", 2, "feat_a_2"),
                                      ("b", 1, "feat_b_1"), ("b", 2, "feat_b_2")]
    assert current_version(empty_db) == 1


def test_failing_feature_migration_leaves_no_trace_and_runs_next_time(
    empty_db: Database,
) -> None:
    def broken(db: Database) -> None:
        db.execute_sql("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
        raise RuntimeError("boom")

    ok = creating("feat_a", 1)
    with pytest.raises(RuntimeError, match="boom"):
        migrate(empty_db, [creating("core", 1)],
                features=[FeatureMigrations("a", [ok, Migration(2, "broken", broken)])])

    assert "half_done" not in empty_db.get_tables()
    assert "feat_a_1" in empty_db.get_tables()
    assert feature_rows(empty_db) == [("a", 1, "feat_a_1")]
    assert current_version(empty_db) == 1

    fixed = FeatureMigrations("a", [ok, creating("feat_a", 2)])
    assert migrate_features(empty_db, [fixed]) == {"a": [2]}
    assert feature_versions(empty_db) == {"a": 2}
    assert "feat_a_2" in empty_db.get_tables()


def test_two_migrators_at_once_apply_each_version_once(database_url: str) -> None:
    # Two processes starting together (two connections here): the lock and the re-read under
    # it make the second one find each version already applied, never apply it again.
    calls: list[str] = []
    dbs = [open_database(database_url), open_database(database_url)]
    migrate(dbs[0], [creating("core", 1)])
    together = threading.Barrier(2)

    def run(db: Database) -> dict[str, list[int]]:
        together.wait()
        return migrate_features(db, [feature("a", 3, calls)])

    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(run, dbs))
        assert sorted(calls) == ["feat_a_1", "feat_a_2", "feat_a_3"]
        assert sorted(v for result in results for v in result["a"]) == [1, 2, 3]
        assert feature_versions(dbs[0]) == {"a": 3}
    finally:
        for db in dbs:
            db.close()


def test_feature_newer_than_the_release_is_refused_before_anything_runs(
    empty_db: Database,
) -> None:
    migrate(empty_db, [creating("core", 1)], features=[feature("a", 2), feature("b", 1)])
    older = [feature("a", 1), feature("b", 1)]

    with pytest.raises(StorageError, match=r"feature 'a' at version 2, newer .* \(1\)"):
        migrate(empty_db, [creating("core", 1), creating("core", 2)], features=older)
    assert current_version(empty_db) == 1  # the core was not touched either
    assert "core_2" not in empty_db.get_tables()

    for check in (lambda: migrate_features(empty_db, older),
                  lambda: pending(empty_db, [creating("core", 1)], features=older),
                  lambda: pending_features(empty_db, older)):
        with pytest.raises(StorageError, match="feature 'a'"):
            check()
    assert feature_versions(empty_db) == {"a": 2, "b": 1}


def test_feature_with_no_migrations_still_refuses_a_newer_database(empty_db: Database) -> None:
    migrate_features(empty_db, [feature("a", 1)])
    with pytest.raises(StorageError, match="feature 'a'"):
        migrate_features(empty_db, [FeatureMigrations("a", [])])


def test_disabled_feature_is_left_alone(empty_db: Database) -> None:
    migrate(empty_db, [creating("core", 1)], features=[feature("a", 1), feature("b", 3)])
    empty_db.execute_sql("INSERT INTO feat_b_1 (id) VALUES (7)")
    b_rows = [row for row in feature_rows(empty_db) if row[0] == "b"]

    # b is disabled now: a later release runs the core and a without it, and knows no b at
    # all (so b's version 3 is not "newer than the release").
    calls: list[str] = []
    applied = migrate(empty_db, [creating("core", 1), creating("core", 2)],
                      features=[feature("a", 2, calls)])

    assert applied == [2]
    assert calls == ["feat_a_2"]
    assert {"feat_b_1", "feat_b_2", "feat_b_3"} <= set(empty_db.get_tables())
    assert list(empty_db.execute_sql("SELECT id FROM feat_b_1")) == [(7,)]
    assert [row for row in feature_rows(empty_db) if row[0] == "b"] == b_rows
    assert feature_versions(empty_db) == {"a": 2, "b": 3}

    # A run without any feature touches no feature at all.
    assert migrate(empty_db, [creating("core", 1), creating("core", 2)]) == []
    assert feature_versions(empty_db) == {"a": 2, "b": 3}


@pytest.mark.parametrize("name", ["", "A", "Faq", "1faq", "_faq", "faq-2", "faq.x", "fáq",
                                  "faq\n", "a" * 65])
def test_bad_feature_names_are_refused(name: str) -> None:
    with pytest.raises(StorageError, match="feature name"):
        FeatureMigrations(name, [creating("x", 1)])


@pytest.mark.parametrize("name", ["a", "faq", "faq_v2", "a" * 64])
def test_good_feature_names_are_accepted(name: str) -> None:
    assert FeatureMigrations(name, [creating("x", 1)]).feature == name


def test_feature_migrations_are_numbered_without_gaps() -> None:
    with pytest.raises(StorageError, match="feature 'a' must be numbered 1..N without gaps"):
        FeatureMigrations("a", [creating("x", 1), creating("x", 3)])
    with pytest.raises(StorageError, match="without gaps"):
        FeatureMigrations("a", [creating("x", 1), creating("x", 1)])
    with pytest.raises(StorageError, match="without gaps"):
        FeatureMigrations("a", [creating("x", 2)])
    # Given out of order, they are kept in version order (and as a tuple nobody can change).
    shuffled = FeatureMigrations("a", [creating("x", 2), creating("x", 1)])
    assert [m.version for m in shuffled.migrations] == [1, 2]
    assert isinstance(shuffled.migrations, tuple)


def test_a_feature_given_twice_is_refused_before_anything_runs(empty_db: Database) -> None:
    with pytest.raises(StorageError, match="feature 'a' is given more than once"):
        migrate(empty_db, [creating("core", 1)], features=[feature("a", 1), feature("a", 2)])
    with pytest.raises(StorageError, match="more than once"):
        pending_features(empty_db, [feature("a", 1), feature("a", 1)])

    assert current_version(empty_db) == 0
    assert empty_db.get_tables() == []


def test_pre_feature_database_gains_the_table_and_migrates(empty_db: Database) -> None:
    # A database migrated by a release from before features: schema_version alone.
    migrate(empty_db)
    assert FEATURE_VERSION_TABLE not in empty_db.get_tables()
    assert feature_versions(empty_db) == {}
    before = core_rows(empty_db)

    assert migrate(empty_db, features=[feature("a", 2)]) == []

    assert FEATURE_VERSION_TABLE in empty_db.get_tables()
    assert feature_versions(empty_db) == {"a": 2}
    assert core_rows(empty_db) == before


def test_feature_version_table_is_the_frozen_shape(empty_db: Database) -> None:
    migrate_features(empty_db, [feature("a", 1)])

    columns = {c.name: c for c in empty_db.get_columns(FEATURE_VERSION_TABLE)}
    assert sorted(columns) == ["applied_at", "feature", "name", "version"]
    assert not any(c.null for c in columns.values())
    assert sorted(empty_db.get_primary_keys(FEATURE_VERSION_TABLE)) == ["feature", "version"]


def test_empty_database_has_no_feature_versions(empty_db: Database) -> None:
    assert feature_versions(empty_db) == {}
    assert pending_features(empty_db, [feature("a", 2)]) == {"a": [1, 2]}
    assert empty_db.get_tables() == []  # asking created nothing


def test_discover_package_finds_the_numbered_modules(
    empty_db: Database, test_package: str
) -> None:
    found = discover_package(test_package)

    assert [(m.version, m.name) for m in found] == [(1, "x"), (2, "y")]  # helpers.py skipped
    migrate_features(empty_db, [FeatureMigrations("notes", found)])
    assert "pkg_notes" in empty_db.get_tables()
    assert sorted(c.name for c in empty_db.get_columns("pkg_notes")) == ["body", "id", "pinned"]
    assert feature_rows(empty_db) == [("notes", 1, "x"), ("notes", 2, "y")]


def test_discover_is_discover_package_on_the_core() -> None:
    core = discover_package("atendimento.storage.migrations")
    assert [(m.version, m.name, m.apply) for m in core] == [
        (m.version, m.name, m.apply) for m in discover()]


def test_discover_package_refuses_what_is_not_a_package() -> None:
    with pytest.raises(StorageError, match="cannot be imported"):
        discover_package("atendimento.storage.no_such_migrations")
    with pytest.raises(StorageError, match="not a package"):
        discover_package("atendimento.storage.migrator")


def test_migrate_url_passes_features_through(database_url: str) -> None:
    assert migrate_url(database_url, features=[feature("a", 1)]) == list(
        range(1, latest_version() + 1))
    assert migrate_url(database_url, features=[feature("a", 2)]) == []

    storage = Storage.open(database_url)
    try:
        assert feature_versions(storage.db) == {"a": 2}
    finally:
        storage.close()


async def test_storage_migrate_passes_features_through(database_url: str) -> None:
    async with Storage.open(database_url) as storage:
        assert await storage.migrate(features=[feature("a", 1)]) == list(
            range(1, latest_version() + 1))
        assert await storage.migrate() == []
        assert feature_versions(storage.db) == {"a": 1}
