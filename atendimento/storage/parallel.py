"""The parallel feature's tables: `own_messages` (what the desk sent in private chats) and
`bot_atendimentos` (atendimentos in which the existing bot answered by itself)."""

from __future__ import annotations

from datetime import datetime

from atendimento.storage.fields import to_db_datetime
from atendimento.storage.tables import Tables


def add_own(t: Tables, chat_id: int, message_ids: list[int], *, now: datetime) -> None:
    p, when = t.db.param, to_db_datetime(now)
    for message_id in message_ids:
        t.db.execute_sql(
            f"INSERT INTO own_messages (chat_id, message_id, sent_at) VALUES ({p}, {p}, {p}) "
            "ON CONFLICT (chat_id, message_id) DO NOTHING", (chat_id, message_id, when))


def is_own(t: Tables, chat_id: int, message_id: int) -> bool:
    p = t.db.param
    return t.db.execute_sql(
        f"SELECT 1 FROM own_messages WHERE chat_id = {p} AND message_id = {p}",
        (chat_id, message_id)).fetchone() is not None


def prune_own(t: Tables, before: datetime) -> int:
    p = t.db.param
    return t.db.execute_sql(f"DELETE FROM own_messages WHERE sent_at < {p}",
                            (to_db_datetime(before),)).rowcount


def note_automatic(t: Tables, atendimento_id: int, client_id: int, *, now: datetime) -> bool:
    """The existing bot answered by itself in this atendimento: True the first time (the
    thread is told then), False when told already or the team took over."""
    p = t.db.param
    return t.db.execute_sql(
        f"INSERT INTO bot_atendimentos (atendimento_id, client_id, noted_at) "
        f"VALUES ({p}, {p}, {p}) ON CONFLICT (atendimento_id) DO NOTHING",
        (atendimento_id, client_id, to_db_datetime(now))).rowcount == 1


def take_over(t: Tables, atendimento_id: int, client_id: int, *, now: datetime) -> bool:
    """The team answered in this atendimento: True the first time."""
    p, when = t.db.param, to_db_datetime(now)
    if t.db.execute_sql(
            f"UPDATE bot_atendimentos SET taken_at = {p} "
            f"WHERE atendimento_id = {p} AND taken_at IS NULL",
            (when, atendimento_id)).rowcount == 1:
        return True
    return t.db.execute_sql(
        f"INSERT INTO bot_atendimentos (atendimento_id, client_id, noted_at, taken_at) "
        f"VALUES ({p}, {p}, {p}, {p}) ON CONFLICT (atendimento_id) DO NOTHING",
        (atendimento_id, client_id, when, when)).rowcount == 1
