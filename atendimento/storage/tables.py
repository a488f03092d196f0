"""The current models, built per database by `bind_tables(db)` so none is bound globally;
repository functions take the resulting `Tables` first. Migrations never use these classes."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from peewee import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    Database,
    ForeignKeyField,
    IntegerField,
    IntegrityError,
    Model,
    TextField,
)

from atendimento.storage.errors import ConflictError, StorageError
from atendimento.storage.fields import JsonTextField, UtcDateTimeField

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Tables:
    """One database's model classes; pass it to the repository functions."""

    db: Database
    clients: Any
    threads: Any
    atendimentos: Any
    links: Any
    team: Any
    replies: Any
    settings: Any
    outbox: Any
    parked: Any
    # Statements compiled for this database by `compiled.select`, by shape.
    compiled: dict[Any, Any] = dataclasses.field(default_factory=dict)
    # [True] while `Storage` runs calls together in one transaction of its own.
    grouped: list[bool] = dataclasses.field(default_factory=lambda: [False])

    def atomic(self) -> Any:
        """A transaction (or a savepoint when nested) grouping several repository calls.

        Nothing while `Storage` runs calls together: their transaction is all or nothing
        already (any error rolls it back and each call runs again alone), and a savepoint
        per call would be two more statements each."""
        return _NOTHING if self.grouped[0] else self.db.atomic()


_NOTHING = contextlib.nullcontext()


def bind_tables(db: Database) -> Tables:
    class Base(Model):
        class Meta:
            database = db

    class Client(Base):
        user_id = BigIntegerField(primary_key=True)
        first_name = TextField()
        last_name = TextField(null=True)
        username = TextField(null=True)
        language_code = TextField(null=True)
        pending_origin = TextField(null=True)
        banned = BooleanField(default=False)
        ban_reason = TextField(null=True)
        banned_at = UtcDateTimeField(null=True)
        ban_notice_sent = BooleanField(default=False)
        messages_while_banned = IntegerField(default=0)
        blocked_bot = BooleanField(default=False)
        created_at = UtcDateTimeField()
        updated_at = UtcDateTimeField()
        language = CharField(max_length=16, null=True)  # chosen with /idioma

        class Meta:
            table_name = "clients"

    class Thread(Base):
        id = AutoField()
        client = ForeignKeyField(Client, column_name="client_id", unique=True)
        card_message_id = BigIntegerField(null=True, unique=True)
        thread_root_id = BigIntegerField(null=True, unique=True)
        state = CharField(max_length=8)
        priority = CharField(max_length=8)
        pinned = BooleanField(default=False)
        created_at = UtcDateTimeField()
        updated_at = UtcDateTimeField()

        class Meta:
            table_name = "threads"

    class Atendimento(Base):
        id = AutoField()
        thread = ForeignKeyField(Thread, column_name="thread_id")
        number = IntegerField()
        origin = TextField(null=True)
        opened_at = UtcDateTimeField()
        ended_at = UtcDateTimeField(null=True)
        ended_by = BigIntegerField(null=True)
        autoanswer_off = CharField(max_length=8, null=True)

        class Meta:
            table_name = "atendimentos"

    class MessageLink(Base):
        id = BigAutoField()
        atendimento = ForeignKeyField(Atendimento, column_name="atendimento_id")
        direction = CharField(max_length=10)
        client_chat_id = BigIntegerField()
        client_message_id = BigIntegerField()
        group_chat_id = BigIntegerField()
        group_message_id = BigIntegerField()
        media_group_id = TextField(null=True)
        deleted_by_client_at = UtcDateTimeField(null=True)
        created_at = UtcDateTimeField()
        sent_at = UtcDateTimeField(null=True)  # a client's message: Telegram's date of it

        class Meta:
            table_name = "message_links"

    class TeamMember(Base):
        user_id = BigIntegerField(primary_key=True)
        first_name = TextField()
        last_name = TextField(null=True)
        username = TextField(null=True)
        language = TextField(null=True)
        is_admin = BooleanField(default=False)
        notifications = BooleanField(default=False)
        started_at = UtcDateTimeField(null=True)
        created_at = UtcDateTimeField()
        updated_at = UtcDateTimeField()

        class Meta:
            table_name = "team_members"

    class SavedReply(Base):
        id = AutoField()
        title = TextField()
        keywords = JsonTextField()
        text = TextField(null=True)
        entities = JsonTextField(null=True)
        media_type = CharField(max_length=16, null=True)
        file_id = TextField(null=True)
        caption = TextField(null=True)
        created_by = BigIntegerField(null=True)
        uses = IntegerField(default=0)
        last_used_at = UtcDateTimeField(null=True)
        source = CharField(max_length=8)
        file_path = TextField(null=True, unique=True)
        language = CharField(max_length=16, null=True)
        created_at = UtcDateTimeField()
        updated_at = UtcDateTimeField()

        class Meta:
            table_name = "saved_replies"

    class Setting(Base):
        key = CharField(max_length=100, primary_key=True)
        value = TextField()
        updated_at = UtcDateTimeField()

        class Meta:
            table_name = "settings"

    class OutboxItem(Base):
        id = BigAutoField()
        key = CharField(max_length=200, unique=True)
        chat_id = BigIntegerField()
        action = CharField(max_length=16)
        payload = JsonTextField()
        random_id = BigIntegerField()
        state = CharField(max_length=8)
        result = JsonTextField(null=True)
        created_at = UtcDateTimeField()
        done_at = UtcDateTimeField(null=True)

        class Meta:
            table_name = "outbox"

    class Parked(Base):
        id = BigAutoField()
        client_id = BigIntegerField()
        chat_id = BigIntegerField()
        message_id = BigIntegerField()
        kind = CharField(max_length=16)
        media_group_id = CharField(max_length=64, null=True)
        reply_to_id = BigIntegerField(null=True)
        reason = CharField(max_length=200)
        attempts = IntegerField(default=0)
        created_at = UtcDateTimeField()

        class Meta:
            table_name = "parked"

    return Tables(
        db=db,
        clients=Client,
        threads=Thread,
        atendimentos=Atendimento,
        links=MessageLink,
        team=TeamMember,
        replies=SavedReply,
        settings=Setting,
        outbox=OutboxItem,
        parked=Parked,
    )


def to_record(record_type: type[R], row: Any, **overrides: Any) -> R:
    """Copies the columns a record declares from a model instance (FKs as `<name>_id`)."""
    values = {
        f.name: overrides[f.name] if f.name in overrides else getattr(row, f.name)
        for f in dataclasses.fields(record_type)  # type: ignore[arg-type]
    }
    return record_type(**values)


@contextmanager
def conflicts_as(
    t: Tables, message: str, error: type[ConflictError] = ConflictError
) -> Iterator[None]:
    """Runs a write in a savepoint and turns a uniqueness violation into `error(message)`.

    The savepoint matters on PostgreSQL: a failed statement would otherwise abort the
    caller's whole transaction. Other integrity errors (foreign key, check) become
    StorageError, since they mean the caller passed something that cannot be stored.
    """
    try:
        with t.db.atomic():
            yield
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise error(message) from exc
        raise StorageError(f"cannot store: {exc}") from exc


def is_unique_violation(exc: IntegrityError) -> bool:
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)
    if code is not None:
        return code == "23505"
    name = getattr(orig, "sqlite_errorname", "")
    return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
