"""A card's comment thread deleted from the group (an admin deleted the card's forward there):
the client's next messages are not scattered loose in the group. The thread moves to a new
card, which is the client's card from then on (one card per client, pinned while open); the
old card says where the conversation went and is unpinned; what the client sent meanwhile is
placed in the new thread, under a line that says why, and the team answers there."""

from __future__ import annotations

from . import test_faults
from .conftest import bot_said, card_of, opened, thread_texts
from .test_faults import client_in_thread, let_time_pass, settled, until

timed = test_faults.timed  # its fixture, used here too

MOVED = "🗑"


async def _thread_deleted(sandbox, desk, card) -> None:
    boss = sandbox.admin("Rui Chefe")
    boss.delete(sandbox.thread(card)[0])  # the root F, in the group
    await desk.settle()


async def test_a_client_writing_after_their_thread_was_deleted_gets_a_new_card(sandbox, desk):
    ana, old = await opened(sandbox, desk)
    await _thread_deleted(sandbox, desk, old)
    ana.send("ainda esperando o reembolso")
    await desk.settle()

    card = card_of(sandbox, ana)  # exactly one card holds the client's tag
    assert card.id != old.id and card.pinned
    before = sandbox.post(old.id)
    assert before.text.startswith(MOVED) and "Ana Souza" in before.text
    assert not before.pinned
    texts = thread_texts(sandbox, ana)
    assert texts[0].startswith(MOVED)
    assert texts[1:] == ["ainda esperando o reembolso"]

    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "já vou ver, Ana")
    ana.send("obrigada")
    await desk.settle()
    assert bot_said(ana)[-1] == "já vou ver, Ana"
    assert thread_texts(sandbox, ana)[-2:] == ["já vou ver, Ana", "obrigada"]
    assert len([p for p in sandbox.posts() if f"#c{ana.id}" in p.text]) == 1


async def test_an_album_and_quick_messages_after_the_deletion_all_reach_the_new_thread_once(
        sandbox, desk):
    ana, old = await opened(sandbox, desk)
    await _thread_deleted(sandbox, desk, old)
    ana.send_album(("photo", "video"), ("a nota", ""))
    ana.send("e a caixa")
    ana.send("chegou amassada")
    await desk.settle()

    thread = sandbox.thread(card_of(sandbox, ana))[1:]
    assert thread[0].text.startswith(MOVED)
    kinds = [(m.kind, m.text) for m in thread[1:]]
    assert kinds == [("photo", "a nota"), ("video", ""), ("text", "e a caixa"),
                     ("text", "chegou amassada")]
    assert len({m.grouped_id for m in thread[1:3]}) == 1 and thread[1].grouped_id


async def test_the_other_clients_threads_are_untouched(sandbox, desk):
    ana, old = await opened(sandbox, desk)
    bia, bia_card = await opened(sandbox, desk, "Bia Reis")
    await _thread_deleted(sandbox, desk, old)
    bia.send("e o meu?")
    ana.send("oi de novo")
    await desk.settle()
    assert card_of(sandbox, bia).id == bia_card.id
    assert thread_texts(sandbox, bia)[-1] == "e o meu?"
    assert thread_texts(sandbox, ana)[-1] == "oi de novo"


async def test_messages_held_by_a_flood_when_the_thread_is_found_gone_get_one_line(timed):
    """The client's copies wait behind a flood in the group, all decided for the old thread;
    the first one refused moves it, the others follow: one line, every message once, in
    order (placed in one round or in several)."""
    sandbox, desk, chat_trouble = timed
    ana, old = await client_in_thread(sandbox, desk, "Ana Souza")
    await _thread_deleted(sandbox, desk, old)
    chat_trouble.flood(sandbox.group.id, 30)
    for text in ("um", "dois", "três"):
        ana.send(text)
    await until(sandbox, lambda: chat_trouble.refused[sandbox.group.id] >= 1, "the flood")
    await let_time_pass(desk, 30)
    await settled(desk)
    texts = thread_texts(sandbox, ana)
    assert [t for t in texts if t.startswith(MOVED)] == texts[:1]
    assert texts[1:] == ["um", "dois", "três"]
    assert card_of(sandbox, ana).pinned
