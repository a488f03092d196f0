"""Story: the desk is stopped for a while; what happened meanwhile is relayed once, in order."""

from __future__ import annotations

from .conftest import bot_said, card_of, thread_texts


def relayed(sandbox, person) -> list[str]:
    """What the bot copied into the person's thread (service lines left out)."""
    thread = sandbox.thread(card_of(sandbox, person))[2:]
    return [m.text for m in thread if m.from_bot and not m.text.startswith("📂")]


async def test_messages_written_while_the_desk_was_down_are_relayed_once(sandbox, desk):
    ana = sandbox.client("Ana")
    ana.send("antes")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva")

    await desk.stop()
    ana.send("durante 1")
    eva.comment(card, "resposta durante")
    ana.send("durante 2")
    bia = sandbox.client("Bia")
    bia.send("nova cliente durante")
    await desk.start()
    await desk.settle()

    assert relayed(sandbox, ana) == ["antes", "durante 1", "durante 2"]
    assert bot_said(ana) == ["resposta durante"]
    assert thread_texts(sandbox, bia)[1:] == ["nova cliente durante"]

    await desk.stop()
    await desk.start()  # a second restart replays nothing
    await desk.settle()
    assert relayed(sandbox, ana) == ["antes", "durante 1", "durante 2"]
    assert bot_said(ana) == ["resposta durante"]


async def test_channel_and_group_states_are_stored_from_the_first_run(sandbox, desk):
    # Without them kurigram would not catch up on comments written while the desk is down.
    client = desk.app.client
    states = {s.id: s.pts for s in await client.storage.get_update_states()}
    assert states[sandbox.channel_chat_id] == sandbox.channel.box.pts
    assert states[sandbox.group_chat_id] == sandbox.group.box.pts
