"""Smoke test of the saved-reply search benchmark: a tiny run prints its table and finds the
index and the brute-force reference in agreement."""

from __future__ import annotations

import pytest

from atendimento.bench import replies


def test_replies_prints_latency_for_each_size(capsys):
    assert replies.main(["--sizes", "200,500", "--queries", "30"]) == 0
    out = capsys.readouterr().out
    assert "replies bench: seed 1, 30 queries per size" in out
    for expected in ("index p50", "p95", "p99", "naive÷index p50",
                     "200 items: index and naive give same answers on all 30 shared queries",
                     "500 items: index and naive give same answers on all 30 shared queries"):
        assert expected in out
    rows = [line.split() for line in out.splitlines() if "│" in line]
    assert [row[0] for row in rows] == ["items", "200", "500"]
    # size, build, vocabulary, RSS │ index p50 p95 p99 │ naive n p50 p95 p99 │ ratio
    assert [len(row) for row in rows[1:]] == [15, 15]


def test_replies_fails_when_the_index_and_the_reference_differ(capsys, monkeypatch):
    monkeypatch.setattr(replies, "naive_search", lambda items, query, limit: [-1])
    assert replies.main(["--sizes", "50", "--queries", "6"]) == 1
    captured = capsys.readouterr()
    assert "DIFFERENT answers for query ''" in captured.out
    assert "index and naive differ at 50 items for query ''" in captured.err


def test_the_corpus_and_queries_are_the_same_for_the_same_seed():
    import random

    assert replies.corpus(20, random.Random(3)) == replies.corpus(20, random.Random(3))
    assert replies.queries(40, random.Random(3)) == replies.queries(40, random.Random(3))
    assert "" in replies.queries(40, random.Random(3))


@pytest.mark.parametrize("argv", [["--sizes", "0"], ["--sizes", "a,b"], ["--queries", "0"]])
def test_bad_arguments_are_refused(argv):
    with pytest.raises(SystemExit):
        replies.main(argv)
