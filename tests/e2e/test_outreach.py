"""Story: an attendant opens a client's thread from their private chat with /novo, and may write
first; someone the bot never met cannot be written to first (Telegram's rule), and is named so."""

from __future__ import annotations

from .conftest import bot_said, card_of, thread_texts


async def known_client(sandbox, desk, name="Ana Souza", username="ana_s"):
    ana = sandbox.client(name, username=username, language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.comment(card, "/fim")
    await desk.settle()
    return ana, card


async def test_novo_reopens_the_thread_and_writes_first_as_the_bot(sandbox, desk):
    ana, card = await known_client(sandbox, desk)
    before = len(bot_said(ana))
    eva = sandbox.team_member("Eva Lima", language="en")
    eva.send(f"/novo {ana.id} Hi Ana, your order has shipped!")
    await desk.settle()

    assert bot_said(ana)[before:] == ["Hi Ana, your order has shipped!"]  # no restart text
    assert card_of(sandbox, ana).pinned  # open again
    assert "your order has shipped" in thread_texts(sandbox, ana)[-1]
    assert "Eva Lima" in thread_texts(sandbox, ana)[-1]
    answer = bot_said(eva)[-1]
    assert answer.startswith("Sent to Ana Souza") and f"/{card.id}?comment=" in answer

    # The client's reply to it lands under the thread's line; the team answers as usual.
    line = sandbox.thread(card)[-1]
    ana.reply(ana.chat()[-1], "Thanks!")
    await desk.settle()
    copy = sandbox.thread(card)[-1]
    assert copy.text == "Thanks!" and copy.reply_to == line.id
    eva.comment(card, "You're welcome")
    await desk.settle()
    assert bot_said(ana)[-1] == "You're welcome"


async def test_novo_by_username_without_a_message_only_opens(sandbox, desk):
    ana, card = await known_client(sandbox, desk, username="Ana_S")
    before = len(bot_said(ana))
    eva = sandbox.team_member("Eva Lima", language="en")
    eva.send("/novo @ana_s")
    await desk.settle()
    assert bot_said(ana)[before:] == []
    assert card_of(sandbox, ana).pinned
    assert bot_said(eva)[-1].startswith("Thread of Ana Souza: https://t.me/c/")


async def test_someone_the_bot_never_met_is_named_with_the_way_to_reach_them(sandbox, desk):
    eva = sandbox.team_member("Eva Lima", language="en")
    stranger = sandbox.client("Zé Ninguém", username="ze_ninguem")
    for target in (str(stranger.id), "@ze_ninguem", "@Ze_Ninguem"):
        eva.send(f"/novo {target} Hello")
        await desk.settle()
        said = bot_said(eva)[-1]
        assert "never written to the bot" in said and "https://t.me/" in said
    assert stranger.chat() == []
    assert [p for p in sandbox.posts() if f"#c{stranger.id}" in p.text] == []


async def test_odd_arguments_get_the_usage(sandbox, desk):
    eva = sandbox.team_member("Eva Lima", language="en")
    for text in ("/novo", "/novo    ", "/novo abc Hello", "/novo -5", "/novo ١٢٣",
                 "/novo @", "/novo @" + "x" * 40, "/novo @a-b", "/novo 99999999999999999999"):
        eva.send(text)
        await desk.settle()
        assert bot_said(eva)[-1].startswith("Use /novo"), text


async def test_it_is_for_the_team_only(sandbox, desk):
    ana, card = await known_client(sandbox, desk)
    before = len(bot_said(ana))
    intruso = sandbox.client("Intruso", language="en")
    intruso.send(f"/novo {ana.id} I am the bot now")
    await desk.settle()
    assert bot_said(intruso)[-1] == "This is for the team only."
    assert bot_said(ana)[before:] == []
    assert not card_of(sandbox, ana).pinned


async def test_banned_blocked_and_oneself_are_refused_with_the_reason(sandbox, desk):
    ana, card = await known_client(sandbox, desk)
    rui = sandbox.admin("Rui Admin", language="en")
    rui.comment(card, "/ban spam")
    await desk.settle()
    rui.send(f"/novo {ana.id} Hello")
    await desk.settle()
    assert "is banned" in bot_said(rui)[-1]
    rui.comment(card, "/desbanir")
    await desk.settle()

    ana.block_bot()
    eva = sandbox.team_member("Eva Lima", language="en")
    eva.comment(card, "Are you there?")  # Telegram refuses: the desk learns she blocked it
    await desk.settle()
    eva.send(f"/novo {ana.id} Hello")
    await desk.settle()
    assert "blocked the bot" in bot_said(eva)[-1]

    eva.send("/start")
    await desk.settle()
    eva.send(f"/novo {eva.id} Hello me")
    await desk.settle()
    assert bot_said(eva)[-1].startswith("That is you")


async def test_the_same_command_handled_again_sends_once(sandbox, desk):
    ana, card = await known_client(sandbox, desk)
    before = len(bot_said(ana))
    eva = sandbox.team_member("Eva Lima", language="en")
    eva.send(f"/novo {ana.id} Only once")
    await desk.settle()
    await desk.stop()
    await desk.start()  # the update state was committed: nothing is replayed, nothing doubled
    await desk.settle()
    assert bot_said(ana)[before:] == ["Only once"]
    assert sum("Only once" in t for t in thread_texts(sandbox, ana)) == 1
