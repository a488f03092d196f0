"""The faq feature's table (FAQ_LEARN): a question waits in its atendimento until the team
answers it; a picked saved reply pairs it for good, anything else is forgotten with the
atendimento; the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.features import faq
from atendimento.storage import bind_tables, migrate
from atendimento.storage import faq_learned as learned_rows
from atendimento.storage import replies as reply_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.faq_learned import WAITING_KEPT, Learned


@pytest.fixture
def tables(empty_db):
    migrate(empty_db, features=[faq.migrations()])
    return bind_tables(empty_db)


@pytest.fixture
def replies(tables, now):
    return [reply_rows.add(tables, title=title, text=f"{title}!", now=now).id
            for title in ("prazo", "troca", "boleto")]


def opened(tables, thread, now):
    return thread_rows.open_atendimento(tables, thread.id, now=now, origin=None)


def test_a_picked_reply_pairs_the_questions_waiting(tables, thread, now, replies):
    first = opened(tables, thread, now)
    learned_rows.asked(tables, first.id, 10, "oi", now=now)
    learned_rows.asked(tables, first.id, 11, "cade meu pedido", now=now)
    assert learned_rows.learned(tables) == []  # waiting is not learned
    assert learned_rows.paired(tables, first.id, replies[0], 7, now=now) == 2
    assert learned_rows.learned(tables) == [Learned(replies[0], "oi"),
                                            Learned(replies[0], "cade meu pedido")]
    # Nothing waits any more: a second pick, unasked, teaches nothing.
    assert learned_rows.paired(tables, first.id, replies[1], 7, now=now) == 0
    assert len(learned_rows.learned(tables)) == 2


def test_an_answer_typed_by_hand_then_a_pick_pairs_the_last_question(tables, thread, now,
                                                                     replies):
    first = opened(tables, thread, now)
    learned_rows.asked(tables, first.id, 10, "quero trocar o tamanho", now=now)
    learned_rows.answered_by_hand(tables, first.id, now=now)
    learned_rows.asked(tables, first.id, 12, "e o frete", now=now)
    learned_rows.answered_by_hand(tables, first.id, now=now)
    assert learned_rows.paired(tables, first.id, replies[1], None, now=now) == 1
    assert learned_rows.learned(tables) == [Learned(replies[1], "e o frete")]
    # The older question nobody paired is gone, not left to pair later.
    assert learned_rows.forget_unpaired(tables, first.id) == 0


def test_a_reply_to_one_question_pairs_that_one_only(tables, thread, now, replies):
    first = opened(tables, thread, now)
    for copy_id, words in ((10, "qual o prazo"), (11, "posso trocar"), (12, "e o boleto")):
        learned_rows.asked(tables, first.id, copy_id, words, now=now)
    assert learned_rows.paired(tables, first.id, replies[1], 7, now=now, answering=11) == 1
    assert learned_rows.paired(tables, first.id, replies[2], 7, now=now, answering=12) == 1
    assert learned_rows.paired(tables, first.id, replies[1], 7, now=now, answering=999) == 0
    assert learned_rows.learned(tables) == [Learned(replies[1], "posso trocar"),
                                            Learned(replies[2], "e o boleto")]
    assert learned_rows.forget_unpaired(tables, first.id) == 0  # "qual o prazo" went before


def test_the_same_reply_twice_for_one_question_is_learned_once(tables, thread, now, replies):
    first = opened(tables, thread, now)
    learned_rows.asked(tables, first.id, 10, "qual o prazo", now=now)
    learned_rows.paired(tables, first.id, replies[0], 7, now=now, answering=10)
    learned_rows.paired(tables, first.id, replies[0], 8, now=now, answering=10)
    assert learned_rows.learned(tables) == [Learned(replies[0], "qual o prazo")]


def test_only_the_latest_waiting_questions_are_kept(tables, thread, now, replies):
    first = opened(tables, thread, now)
    for n in range(WAITING_KEPT + 3):
        learned_rows.asked(tables, first.id, 100 + n, f"pergunta {n}", now=now)
    learned_rows.paired(tables, first.id, replies[0], 7, now=now)
    assert [q.words for q in learned_rows.learned(tables)] == [
        f"pergunta {n}" for n in range(3, WAITING_KEPT + 3)]


def test_an_ended_atendimento_forgets_what_was_not_paired(tables, thread, now, replies):
    first = opened(tables, thread, now)
    learned_rows.asked(tables, first.id, 10, "qual o prazo", now=now)
    learned_rows.paired(tables, first.id, replies[0], 7, now=now)
    learned_rows.asked(tables, first.id, 11, "obrigada", now=now)
    assert learned_rows.forget_unpaired(tables, first.id) == 1
    assert learned_rows.learned(tables) == [Learned(replies[0], "qual o prazo")]


def test_atendimentos_do_not_mix(tables, thread, now, replies):
    first = opened(tables, thread, now)
    learned_rows.asked(tables, first.id, 10, "qual o prazo", now=now)
    thread_rows.end_atendimento(tables, first.id, now=now, ended_by=1)
    second = opened(tables, thread, now + timedelta(hours=1))
    learned_rows.asked(tables, second.id, 20, "posso trocar", now=now)
    assert learned_rows.paired(tables, second.id, replies[1], 7, now=now) == 1
    assert learned_rows.learned(tables) == [Learned(replies[1], "posso trocar")]


def test_a_deleted_reply_takes_its_pairs_and_forget_all_takes_the_rest(tables, thread, now,
                                                                      replies):
    first = opened(tables, thread, now)
    learned_rows.asked(tables, first.id, 10, "qual o prazo", now=now)
    learned_rows.paired(tables, first.id, replies[0], 7, now=now)
    learned_rows.asked(tables, first.id, 11, "posso trocar", now=now)
    learned_rows.paired(tables, first.id, replies[1], 7, now=now)
    learned_rows.asked(tables, first.id, 12, "e o boleto", now=now)
    reply_rows.delete(tables, replies[0])
    assert learned_rows.learned(tables) == [Learned(replies[1], "posso trocar")]
    assert learned_rows.forget_all(tables) == 2
    assert learned_rows.learned(tables) == []
