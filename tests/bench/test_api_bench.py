"""Smoke tests of the HTTP API benchmark: a tiny run prints requests/s, latency and errors of
each load and the relay latency against no load; a refused request counts as an error."""

from __future__ import annotations

import pytest

from atendimento.bench import api

TINY = ["--clients", "50", "--requests", "40", "--messages", "10", "--concurrency", "4"]
LOADS = ("GET /v1/clients?limit=100", "GET /v1/clients/{id}", "POST /v1/clients/{id}/messages")


def rows(out: str) -> dict[str, list[str]]:
    """The load table's rows: label → requests, req/s, p50, p95, p99, CPU, errors."""
    found = {}
    for line in out.splitlines():
        for label in LOADS:
            if line.startswith(label) and not line.startswith(label + ":"):
                found[label] = line[len(label):].split()
    return found


def test_api_bench_prints_every_figure_with_no_errors(capsys, database_url):
    assert api.main([*TINY, "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    for expected in ("api bench: 50 clients, 40 requests per load from 4 concurrent HTTP "
                     "clients", "strict wire", "API_RATE_LIMIT=100000",
                     "clients: 30 wrote a first message through the sandbox (20 targets of "
                     "POST send, 10 relay probes)",
                     "20 seeded into the database through the storage layer",
                     "req/s", "p50 ms", "p95 ms", "p99 ms", "errors",
                     "POST send: 40 answered 201, 40 in the clients' chats, 40 in their "
                     "threads",
                     "relay latency, person's send → copy in the thread, ms p50 / p95",
                     "no API load", "delivery (probes): every message exactly once, in order; "
                     "0 not copied", "desk: 0 errors logged"):
        assert expected in out
    table = rows(out)
    assert set(table) == set(LOADS)
    for label, (requests, rate, *_latencies, _cpu, errors) in table.items():
        assert requests == "40" and float(rate.replace(",", "")) > 0, label
        assert errors == "0", label
    for label in LOADS:
        assert f"under {label}" in out
    assert "errors of" not in out


def test_refused_requests_count_as_errors_and_fail_the_run(capsys, monkeypatch):
    monkeypatch.setattr(api, "api_text", lambda index: " ")  # a blank text: 400
    assert api.main(TINY) == 1
    captured = capsys.readouterr()
    assert rows(captured.out)["POST /v1/clients/{id}/messages"][-1] == "40"
    assert "errors of POST /v1/clients/{id}/messages: HTTP 400 × 40" in captured.out
    assert "POST /v1/clients/{id}/messages: 40 errors" in captured.err


def test_bad_counts_are_refused():
    for argv in (["--clients", "10"], ["--requests", "0"], ["--concurrency", "0"],
                 ["--clients", "50", "--real", "41"]):
        with pytest.raises(SystemExit):
            api.main(argv)
