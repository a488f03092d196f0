"""Smoke tests of the benchmarks: tiny runs print their figures and verify delivery; the
delivery check itself catches what is lost, duplicated, misplaced or out of order."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from atendimento.bench import relay, size
from atendimento.bench.harness import Delivery, check_delivery, message_text

TINY = ["--messages", "30", "--clients", "3"]


def test_relay_prints_every_figure_and_relays_each_message_once(capsys, database_url):
    assert relay.main([*TINY, "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    for expected in ("relay bench: 30 text messages from 3 clients", "strict wire",
                     "relays/s (first send → all copied)", "CPU µs per relay (whole process)",
                     "of which sandbox server", "desk storage calls per relay",
                     "desk database commits per relay",
                     "desk ÷ bare", "raw calls per relay", "latency, ms p50 / p99",
                     "update at the handler → Gateway.copy called",
                     "delivery (desk): every message exactly once, in order",
                     "delivery (bare): every message exactly once, in order",
                     "delivery (bare, mem): every message exactly once, in order"):
        assert expected in out
    # SQLite's calls run on the loop's thread; PostgreSQL's on a worker thread of their own.
    postgres = database_url.startswith("postgres")
    assert ("of which desk storage thread" in out) is postgres
    assert ("storage calls run on one worker thread" in out) is postgres
    assert "profile" not in out


def test_relay_profile_shows_the_desk_relay_path(capsys):
    assert relay.main([*TINY, "--lax", "--profile"]) == 0
    out = capsys.readouterr().out
    assert "lax wire" in out
    assert "top 25 by cumulative time, desk code only" in out
    assert "clientside.py" in out and "gateway.py" in out
    assert "storage thread" not in out  # SQLite: storage runs on the loop, profiled with it
    assert "compiled.py" in out  # the hot lookups


def test_relay_fails_when_delivery_fails(capsys, monkeypatch):
    monkeypatch.setattr(relay, "check_delivery", lambda bench, sent: Delivery(missing=1))
    assert relay.main(TINY) == 1
    captured = capsys.readouterr()
    assert "FAILED: 1 missing" in captured.out
    assert "lost, duplicated or out of order" in captured.err


def test_size_prints_bytes_per_relayed_message(capsys):
    assert size.main(TINY) == 0
    out = capsys.readouterr().out
    assert "size bench: 30 text messages relayed from 3 clients" in out
    assert "empty schema:" in out
    assert "(30 message links added, 1.00 per message)" in out
    assert "database bytes per relayed message:" in out
    assert "delivery: every message exactly once, in order" in out


def test_bad_counts_are_refused():
    with pytest.raises(SystemExit):
        relay.main(["--messages", "0"])
    with pytest.raises(SystemExit):
        size.main(["--clients", "0"])


def fake_bench(copies: list[tuple[int, int, int]]) -> SimpleNamespace:
    """Two clients with roots 100 and 200; `copies` are (client, index, root) in the group."""
    messages = {
        ident: SimpleNamespace(message=message_text(client, index),
                               reply_to=SimpleNamespace(reply_to_top_id=None,
                                                        reply_to_msg_id=root))
        for ident, (client, index, root) in enumerate(copies, start=1000)}
    messages[1] = SimpleNamespace(message="not a bench text", reply_to=None)
    clients = [SimpleNamespace(id=11), SimpleNamespace(id=22)]
    return SimpleNamespace(sandbox=SimpleNamespace(group=SimpleNamespace(messages=messages)),
                           clients=clients, roots={11: 100, 22: 200})


SENT = [(0, 0), (1, 0), (0, 1), (1, 1)]


def test_delivery_check_accepts_each_copy_once_in_order():
    bench = fake_bench([(0, 0, 100), (1, 0, 200), (0, 1, 100), (1, 1, 200)])
    assert check_delivery(bench, SENT).ok


@pytest.mark.parametrize(("copies", "expected"), [
    ([(0, 0, 100), (1, 0, 200), (0, 1, 100)], Delivery(missing=1)),
    ([(0, 0, 100), (1, 0, 200), (0, 1, 100), (1, 1, 200), (0, 1, 100)],
     Delivery(duplicated=1)),
    ([(0, 0, 100), (1, 0, 200), (0, 1, 200), (1, 1, 200)], Delivery(misplaced=1)),
    ([(0, 1, 100), (1, 0, 200), (0, 0, 100), (1, 1, 200)], Delivery(out_of_order=1)),
    ([(0, 0, 100), (1, 0, 200), (0, 1, 100), (1, 1, 200), (0, 7, 100)],
     Delivery(duplicated=1)),
])
def test_delivery_check_catches_what_went_wrong(copies, expected):
    result = check_delivery(fake_bench(copies), SENT)
    assert result == expected and not result.ok


def test_the_package_names_its_benches(capsys):
    from atendimento import bench

    assert bench.main([]) == 2
    assert "relay,size" in capsys.readouterr().err
