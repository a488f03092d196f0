"""Smoke tests of `bench catchup` and `bench memory` at tiny sizes: the figures they print hang
together (every message relayed once and in order; positive sizes and memory), no timings."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from atendimento.bench import catchup, memory
from atendimento.bench.harness import Delivery
from atendimento.sandbox.limits import RateLimits
from atendimento.storage.fields import to_db_datetime

TINY = ["--messages", "30", "--clients", "3"]
GROUP = -1_001_000_000_002


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in the output"
    return float(match[1].replace(",", ""))


# ----- catchup -----------------------------------------------------------------------------

@pytest.mark.parametrize("sends", [1, 3, 4, 20, 21, 23, 24, 40, 41, 250])
def test_the_least_time_formula_matches_the_sandboxs_own_limits(sends):
    limits = RateLimits(clock=None)
    assert catchup.least_time(sends, limits) == catchup.greedy_time(sends, limits, GROUP)


def test_catchup_relays_each_message_once_in_order(capsys, database_url):
    assert catchup.main([*TINY, "--clock", "sandbox", "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    assert "30 text messages from 3 clients" in out
    assert "= 67 s (0.02 h) for N = 30" in out  # 60 s × 1 + (10 − 3) / (1/s)
    assert "FLOOD_WAITs: 67 s" in out
    assert "the group got 30 bench copies and 0 other messages" in out
    assert "delivery: 0 lost, 0 duplicated, 0 in the wrong thread, 0 clients out of order" in out
    assert "[overlapping]" not in out
    actual = number(r"restart → last copy in the group: ([\d,]+) s", out)
    assert actual >= 67
    assert 0 < number(r"fraction minimum ÷ actual: ([\d.]+)", out) <= 1.0


def test_catchup_runs_both_clocks_by_default(capsys):
    assert catchup.main(TINY) == 0
    out = capsys.readouterr().out
    assert out.count("delivery: 0 lost, 0 duplicated, 0 in the wrong thread, 0 clients") == 2
    assert "[sandbox] clock" in out and "[overlapping] clock" in out


def test_catchup_fails_when_delivery_fails(capsys, monkeypatch):
    monkeypatch.setattr(catchup, "check_delivery", lambda bench, sent: Delivery(missing=1))
    assert catchup.main([*TINY, "--clock", "sandbox"]) == 1
    captured = capsys.readouterr()
    assert "delivery: 1 lost" in captured.out and "meaningless" in captured.out
    assert "lost, duplicated or out of order" in captured.err


def test_interleaving_keeps_each_clients_order():
    sent = catchup.interleaved(40, 3, seed=7)
    assert sorted(sent) == sorted((n % 3, n // 3) for n in range(40))
    for client in range(3):
        assert [i for c, i in sent if c == client] == sorted(i for c, i in sent if c == client)


async def test_overlapping_clock_overlaps_concurrent_sleeps():
    clock = catchup.OverlappingClock()
    start = clock.now()
    sleeps = [asyncio.ensure_future(clock.sleep(s)) for s in (5, 5, 8)]
    await asyncio.sleep(0)
    clock.wake_next()
    await asyncio.sleep(0)
    assert clock.now() - start == 5 and [s.done() for s in sleeps] == [True, True, False]
    clock.wake_next()
    await asyncio.gather(*sleeps)
    assert clock.now() - start == 8


# ----- memory ------------------------------------------------------------------------------

def test_memory_loads_a_small_database_and_measures_the_desk(capsys, tmp_path):
    argv = ["--clients", "100", "--links", "10000", "--relay", "2", "--idle", "0.2",
            "--directory", str(tmp_path), "--keep"]
    assert memory.main(argv) == 0
    out = capsys.readouterr().out
    assert "100 clients" in out and "10,000 message links" in out
    assert number(r"bytes per message link: ([\d,.]+)", out) > 0
    empty = number(r"on an empty database: VmRSS ([\d,.]+) MiB", out)
    big = number(r"on the big database:  VmRSS ([\d,.]+) MiB", out)
    assert empty > 0 and big > 0
    assert "relayed 2 of 2 messages" in out
    assert "message links afterwards: 10,002 (expected 10,002)" in out
    assert "desk exit codes on SIGTERM: 0 (empty), 0 (big)" in out
    connection = sqlite3.connect(tmp_path / memory.DB_NAME)
    try:
        counts = [connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("clients", "threads", "atendimentos", "message_links")]
        assert counts == [102, 102, 102, 10_002]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()


def test_memory_removes_its_database_unless_kept(capsys, tmp_path):
    argv = ["--clients", "3", "--links", "10", "--relay", "0", "--idle", "0",
            "--directory", str(tmp_path)]
    assert memory.main(argv) == 0
    assert "database kept" not in capsys.readouterr().out
    assert not (tmp_path / memory.DB_NAME).exists()


def test_memory_writes_timestamps_as_storage_does():
    start = datetime(2026, 3, 1, 23, 59, 59, 999_000, tzinfo=UTC)
    step = timedelta(milliseconds=1, microseconds=1)
    written = list(memory.stamps(start, step, 3))
    assert written == [to_db_datetime(start + n * step) for n in range(3)]
