"""Shared data for the storage contract tests: a fixed clock and a client with a thread."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from atendimento.storage import Tables, clients, threads
from atendimento.storage.records import Atendimento, Thread

NOW = datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
BIG_USER_ID = 7_123_456_789  # user ids exceed 2**31
CHANNEL_ID = -1_001_234_567_890  # the -100... form of channel and supergroup ids
GROUP_ID = -1_009_876_543_210


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def thread(tables: Tables) -> Thread:
    clients.upsert(tables, user_id=BIG_USER_ID, first_name="Ana", now=NOW)
    return threads.create(tables, client_id=BIG_USER_ID, now=NOW)


@pytest.fixture
def atendimento(tables: Tables, thread: Thread) -> Atendimento:
    return threads.open_atendimento(tables, thread.id, now=NOW, origin="site")
