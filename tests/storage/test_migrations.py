"""Migrations: empty -> latest, idempotence, resuming a half-migrated database, rollback."""

from __future__ import annotations

from pathlib import Path

import pytest

import atendimento.storage.migrations as migrations_package
from atendimento.storage import (
    Database,
    StorageError,
    current_version,
    latest_version,
    migrate,
    migrate_url,
    open_database,
    pending,
)
from atendimento.storage.migrator import VERSION_TABLE, Migration, discover

TABLES = {
    "clients",
    "threads",
    "atendimentos",
    "message_links",
    "team_members",
    "saved_replies",
    "settings",
    "outbox",
    "parked",
    VERSION_TABLE,
}


def schema_of(db: Database) -> dict[str, list[str]]:
    """Tables with their column and index names: enough to see that nothing changed."""
    return {
        table: sorted(c.name for c in db.get_columns(table))
        + sorted(f"index:{i.name}" for i in db.get_indexes(table))
        for table in db.get_tables()
    }


def version_rows(db: Database) -> list[tuple[object, ...]]:
    return list(db.execute_sql(f"SELECT version, name FROM {VERSION_TABLE} ORDER BY version"))


def creating(version: int, calls: list[int] | None = None) -> Migration:
    def apply(db: Database) -> None:
        if calls is not None:
            calls.append(version)
        db.execute_sql(f"CREATE TABLE fake_{version} (id INTEGER PRIMARY KEY)")

    return Migration(version, f"fake_{version}", apply)


def test_empty_database_reaches_latest_schema(empty_db: Database) -> None:
    assert current_version(empty_db) == 0
    assert pending(empty_db) == list(range(1, latest_version() + 1))

    applied = migrate(empty_db)

    assert applied == list(range(1, latest_version() + 1))
    assert set(empty_db.get_tables()) == TABLES
    assert current_version(empty_db) == latest_version()
    assert version_rows(empty_db) == [(1, "initial"), (2, "desk_lookups"),
                                       (3, "replies_and_faq"), (4, "outbox"),
                                       (5, "parked"), (6, "client_language"),
                                       (7, "links_from_bot"), (8, "links_sent_at")]
    assert pending(empty_db) == []


def test_second_migrate_is_a_no_op(empty_db: Database) -> None:
    migrate(empty_db)
    before = schema_of(empty_db), version_rows(empty_db)

    assert migrate(empty_db) == []
    assert (schema_of(empty_db), version_rows(empty_db)) == before


def test_half_applied_database_gets_only_the_rest(empty_db: Database) -> None:
    calls: list[int] = []
    first = [creating(1, calls)]
    everything = [creating(1, calls), creating(2, calls), creating(3, calls)]

    assert migrate(empty_db, first) == [1]
    assert pending(empty_db, everything) == [2, 3]
    assert migrate(empty_db, everything) == [2, 3]

    assert calls == [1, 2, 3]
    assert current_version(empty_db) == 3
    assert {"fake_1", "fake_2", "fake_3"} <= set(empty_db.get_tables())
    assert migrate(empty_db, everything) == []


def test_real_schema_then_a_later_migration(empty_db: Database) -> None:
    # What an upgrade looks like: the shipped migrations are recorded, a new one follows.
    migrate(empty_db)
    later = [*discover(), creating(latest_version() + 1)]

    assert migrate(empty_db, later) == [latest_version() + 1]
    assert current_version(empty_db) == latest_version() + 1


def test_failing_migration_rolls_back_and_is_not_recorded(empty_db: Database) -> None:
    def broken(db: Database) -> None:
        db.execute_sql("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        migrate(empty_db, [creating(1), Migration(2, "broken", broken)])

    assert current_version(empty_db) == 1
    assert "half_done" not in empty_db.get_tables()
    assert "fake_1" in empty_db.get_tables()


def test_database_newer_than_the_code_is_refused(empty_db: Database) -> None:
    migrate(empty_db, [creating(1), creating(2)])

    with pytest.raises(StorageError, match="newer"):
        migrate(empty_db, [creating(1)])
    with pytest.raises(StorageError, match="newer"):
        pending(empty_db, [creating(1)])


def test_migrations_must_be_numbered_without_gaps(empty_db: Database) -> None:
    with pytest.raises(StorageError, match="without gaps"):
        migrate(empty_db, [creating(1), creating(3)])
    assert current_version(empty_db) == 0


def test_shipped_migrations_are_numbered_and_frozen() -> None:
    shipped = discover()
    assert [m.version for m in shipped] == list(range(1, len(shipped) + 1))
    assert latest_version() == shipped[-1].version
    # A migration that used the current models would change meaning when they change.
    for path in Path(migrations_package.__path__[0]).glob("m*.py"):
        assert "atendimento.storage.tables" not in path.read_text(encoding="utf-8"), path.name


def test_migrate_url_is_what_the_cli_runs(database_url: str) -> None:
    assert migrate_url(database_url) == list(range(1, latest_version() + 1))
    assert migrate_url(database_url) == []


def test_unreachable_server_is_a_storage_error_without_password() -> None:
    db = open_database("postgresql://desk:hunter2@127.0.0.1:1/nowhere?connect_timeout=2")
    with pytest.raises(StorageError) as caught:
        migrate(db)
    assert "hunter2" not in str(caught.value)
    with pytest.raises(StorageError):
        current_version(db)


def test_migrating_leaves_no_connection_open_but_memory_databases_keep_theirs(
    empty_db: Database,
) -> None:
    assert empty_db.is_closed()
    migrate(empty_db)
    assert empty_db.is_closed()

    memory = open_database("sqlite:///:memory:")
    try:
        migrate(memory)
        assert current_version(memory) == latest_version()
    finally:
        memory.close()


def insert_row(db: Database, table: str, **values: object) -> None:
    """A row with `values` and a plain value in every other column that needs one."""
    plain = {"BIGINT": 1, "INTEGER": 1, "BOOLEAN": False, "SMALLINT": 1}
    for column in db.get_columns(table):
        if column.name in values or column.null or column.default is not None:
            continue
        kind = column.data_type.upper()
        values[column.name] = next((v for k, v in plain.items() if k in kind),
                                   "2026-01-01" if "TIME" in kind or "DATE" in kind else "x")
    names = ", ".join(values)
    marks = ", ".join(db.param for _ in values)
    db.execute_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(values.values()))


def _one_link_at(db: Database, version: int) -> None:
    """The schema of `version`, holding one client with one linked message."""
    migrate(db, discover()[:version])
    insert_row(db, "clients", user_id=1)
    insert_row(db, "threads", id=1, client_id=1, state="open", priority="normal")
    insert_row(db, "atendimentos", id=1, thread_id=1, number=1)
    db.execute_sql(
        "INSERT INTO message_links (atendimento_id, direction, client_chat_id, "
        "client_message_id, group_chat_id, group_message_id, created_at) "
        "VALUES (1, 'to_team', 1, 10, -5, 20, '2026-01-01')")


def test_links_from_bot_keep_rows_and_indexes_and_take_the_new_direction(
        empty_db: Database) -> None:
    """Version 7 widens a CHECK constraint: on SQLite by rebuilding the table, which must
    keep every row, column and index, and still refuse a direction it does not know."""
    import peewee

    _one_link_at(empty_db, 6)
    before = schema_of(empty_db)["message_links"]

    assert migrate(empty_db, discover()[:7]) == [7]

    assert schema_of(empty_db)["message_links"] == before
    assert list(empty_db.execute_sql(
        "SELECT direction, client_message_id, group_message_id FROM message_links")) == [
        ("to_team", 10, 20)]
    empty_db.execute_sql(
        "INSERT INTO message_links (atendimento_id, direction, client_chat_id, "
        "client_message_id, group_chat_id, group_message_id, created_at) "
        "VALUES (1, 'from_bot', 1, 11, -5, 21, '2026-01-01')")
    with pytest.raises(peewee.IntegrityError), empty_db.atomic():
        empty_db.execute_sql(
            "INSERT INTO message_links (atendimento_id, direction, client_chat_id, "
            "client_message_id, group_chat_id, group_message_id, created_at) "
            "VALUES (1, 'sideways', 1, 12, -5, 22, '2026-01-01')")
    with pytest.raises(peewee.IntegrityError), empty_db.atomic():  # the unique pair kept
        empty_db.execute_sql(
            "INSERT INTO message_links (atendimento_id, direction, client_chat_id, "
            "client_message_id, group_chat_id, group_message_id, created_at) "
            "VALUES (1, 'to_team', 1, 10, -5, 23, '2026-01-01')")


def test_links_take_the_date_a_client_sent_a_message_and_keep_their_rows(
        empty_db: Database) -> None:
    """Version 8 adds `sent_at`, NULL for the links made before."""
    _one_link_at(empty_db, 7)

    assert migrate(empty_db) == [8]

    assert list(empty_db.execute_sql(
        "SELECT client_message_id, sent_at FROM message_links")) == [(10, None)]
