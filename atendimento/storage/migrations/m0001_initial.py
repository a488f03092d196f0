"""Version 1: clients, threads, atendimentos, message links, team, saved replies, settings."""

from __future__ import annotations

from peewee import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    Check,
    Database,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def apply(db: Database) -> None:
    # A snapshot of the models as they were at version 1, built fresh for `db` on every call.
    class Base(Model):
        class Meta:
            database = db

    class Client(Base):
        user_id = BigIntegerField(primary_key=True)
        first_name = TextField()
        last_name = TextField(null=True)
        username = TextField(null=True, index=True)
        language_code = TextField(null=True)
        pending_origin = TextField(null=True)
        banned = BooleanField(default=False)
        ban_reason = TextField(null=True)
        banned_at = DateTimeField(null=True)
        ban_notice_sent = BooleanField(default=False)
        messages_while_banned = IntegerField(default=0)
        blocked_bot = BooleanField(default=False)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            table_name = "clients"

    class Thread(Base):
        id = AutoField()
        client = ForeignKeyField(Client, column_name="client_id", unique=True)
        card_message_id = BigIntegerField(null=True, unique=True)
        thread_root_id = BigIntegerField(null=True, unique=True)
        state = CharField(max_length=8, constraints=[Check("state IN ('open', 'ended')")])
        priority = CharField(
            max_length=8, constraints=[Check("priority IN ('urgent', 'high', 'normal', 'low')")]
        )
        pinned = BooleanField(default=False)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            table_name = "threads"

    class Atendimento(Base):
        id = AutoField()
        # No index of its own: the unique (thread_id, number) index below starts with it.
        thread = ForeignKeyField(Thread, column_name="thread_id", index=False)
        number = IntegerField()
        origin = TextField(null=True)
        opened_at = DateTimeField()
        ended_at = DateTimeField(null=True)
        ended_by = BigIntegerField(null=True)

        class Meta:
            table_name = "atendimentos"
            indexes = ((("thread", "number"), True),)

    class MessageLink(Base):
        id = BigAutoField()
        atendimento = ForeignKeyField(Atendimento, column_name="atendimento_id", index=True)
        direction = CharField(
            max_length=10, constraints=[Check("direction IN ('to_team', 'to_client')")]
        )
        client_chat_id = BigIntegerField()
        client_message_id = BigIntegerField()
        group_chat_id = BigIntegerField()
        group_message_id = BigIntegerField()
        media_group_id = TextField(null=True, index=True)
        deleted_by_client_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            table_name = "message_links"
            indexes = (
                (("client_chat_id", "client_message_id"), True),
                (("group_chat_id", "group_message_id"), True),
            )

    class TeamMember(Base):
        user_id = BigIntegerField(primary_key=True)
        first_name = TextField()
        last_name = TextField(null=True)
        username = TextField(null=True)
        language = TextField(null=True)
        is_admin = BooleanField(default=False)
        notifications = BooleanField(default=False)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            table_name = "team_members"

    class SavedReply(Base):
        id = AutoField()
        title = TextField()
        keywords = TextField()
        text = TextField(null=True)
        entities = TextField(null=True)
        media_type = CharField(max_length=16, null=True)
        file_id = TextField(null=True)
        caption = TextField(null=True)
        created_by = BigIntegerField(null=True)
        uses = IntegerField(default=0)
        last_used_at = DateTimeField(null=True)
        source = CharField(max_length=8, constraints=[Check("source IN ('telegram', 'file')")])
        file_path = TextField(null=True, unique=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            table_name = "saved_replies"

    class Setting(Base):
        key = CharField(max_length=100, primary_key=True)
        value = TextField()
        updated_at = DateTimeField()

        class Meta:
            table_name = "settings"

    db.create_tables(
        [Client, Thread, Atendimento, MessageLink, TeamMember, SavedReply, Setting], safe=False
    )
    # At most one open atendimento per thread; a partial index reads the same on both backends.
    db.execute_sql(
        "CREATE UNIQUE INDEX atendimentos_one_open ON atendimentos (thread_id) "
        "WHERE ended_at IS NULL"
    )
