"""What the FAQ learns from the team (the faq feature's table, `faq_questions`, written only
with FAQ_LEARN=on): a client's question, as its words, waits in its atendimento until a team
member answers it. Picking a saved reply pairs it with that reply, for good; an answer typed
by hand marks it answered (a reply picked right after can still be paired with it); when the
atendimento ends, what was never paired goes. The database holds no message bodies: these
words are the one thing the self-hoster lets it keep, for this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atendimento.storage.fields import to_db_datetime
from atendimento.storage.tables import Tables

WAITING_KEPT = 5  # a client's latest unanswered questions kept per atendimento


@dataclass(frozen=True, slots=True)
class Learned:
    """A question the team answered with the saved reply `answer_id`."""

    answer_id: int
    words: str


def _sql(t: Tables, statement: str, params: tuple[Any, ...] = ()) -> Any:
    return t.db.execute_sql(statement.replace("?", t.db.param), params)


def asked(t: Tables, atendimento_id: int, copy_id: int, words: str, *, now: datetime) -> None:
    """The client asked `words` in the thread's copy `copy_id`; only the latest few questions
    nobody answered yet are kept."""
    with t.atomic():
        _sql(t, "INSERT INTO faq_questions (atendimento_id, copy_id, words, asked_at) "
             "VALUES (?, ?, ?, ?)", (atendimento_id, copy_id, words, to_db_datetime(now)))
        waiting = [row[0] for row in _sql(
            t, "SELECT id FROM faq_questions WHERE atendimento_id = ? AND answered_at IS NULL "
            "ORDER BY id DESC", (atendimento_id,)).fetchall()]
        for old in waiting[WAITING_KEPT:]:
            _sql(t, "DELETE FROM faq_questions WHERE id = ?", (old,))


def answered_by_hand(t: Tables, atendimento_id: int, *, now: datetime) -> None:
    """A team member answered in their own words: the waiting questions are answered."""
    _sql(t, "UPDATE faq_questions SET answered_at = ? WHERE atendimento_id = ? "
         "AND answered_at IS NULL", (to_db_datetime(now), atendimento_id))


def paired(t: Tables, atendimento_id: int, answer_id: int, by: int | None, *, now: datetime,
           answering: int | None = None) -> int:
    """A team member answered with the saved reply `answer_id`: pair it with the question it
    replies to (the copy `answering`), else with the questions still waiting, else with the
    last one answered by hand. Older questions nobody paired go. Returns how many were
    paired."""
    with t.atomic():
        unpaired = _sql(
            t, "SELECT id, copy_id, words, answered_at, answer_id FROM faq_questions "
            "WHERE atendimento_id = ? ORDER BY id", (atendimento_id,)).fetchall()
        if answering is not None:
            chosen = [row for row in unpaired if row[1] == answering]
        else:
            candidates = [row for row in unpaired if row[4] is None]
            chosen = ([row for row in candidates if row[3] is None]
                      or [row for row in candidates[-1:]])
        when = to_db_datetime(now)
        for question_id, copy_id, words, _, answer in chosen:
            if answer is None:
                _sql(t, "UPDATE faq_questions SET answer_id = ?, answered_by = ?, "
                     "answered_at = ? WHERE id = ?", (answer_id, by, when, question_id))
            elif answer != answer_id:  # one question, a second reply for it
                _sql(t, "INSERT INTO faq_questions (atendimento_id, copy_id, words, asked_at, "
                     "answered_at, answer_id, answered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (atendimento_id, copy_id, words, when, when, answer_id, by))
        if chosen:
            last = max(row[0] for row in chosen)
            _sql(t, "DELETE FROM faq_questions WHERE atendimento_id = ? AND answer_id IS NULL "
                 "AND id < ?", (atendimento_id, last))
        return len(chosen)


def forget_unpaired(t: Tables, atendimento_id: int) -> int:
    """The atendimento ended: its questions nobody paired with a reply go."""
    return _sql(t, "DELETE FROM faq_questions WHERE atendimento_id = ? AND answer_id IS NULL",
                (atendimento_id,)).rowcount


def learned(t: Tables) -> list[Learned]:
    """Every question paired with a saved reply, oldest first."""
    return [Learned(answer_id, words) for answer_id, words in _sql(
        t, "SELECT answer_id, words FROM faq_questions WHERE answer_id IS NOT NULL "
        "ORDER BY id").fetchall()]


def forget_all(t: Tables) -> int:
    """Everything learned and waiting goes; returns how many questions."""
    return _sql(t, "DELETE FROM faq_questions").rowcount
