"""The thread commands and the card's life cycle at their edges, found by an adversarial
review: /p, /fim, /ban and /desbanir, notes, /novo, edits of commands and notes, a client's
message racing /fim, a client who blocked the bot, forged button data, restarts between steps,
invisible marks pasted in front of a command or a note."""

from __future__ import annotations

from atendimento.sandbox.callbacks import buttons

from .conftest import bot_said, card_of, thread_texts


async def opened(sandbox, desk, name="Ana Souza", username=None):
    """A client who wrote once (English), and their card."""
    client = sandbox.client(name, username=username, language="en")
    client.send("Hi")
    await desk.settle()
    return client, card_of(sandbox, client)


# --- found wrong, fixed --------------------------------------------------------------------------


async def test_novo_with_the_message_on_the_next_line_is_sent(sandbox, english_desk):
    """`/novo ID` then Enter (or Tab) then the message: the id ends at any whitespace, as the
    command name does; the operator must not get the usage back."""
    desk = english_desk
    ana, card = await opened(sandbox, desk, username="ana_s")
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "/fim")
    await desk.settle()
    before = len(bot_said(ana))
    eva.send(f"/novo {ana.id}\nYour order has shipped!")
    await desk.settle()
    assert bot_said(eva)[-1].startswith("Sent to Ana Souza"), bot_said(eva)[-1]
    assert bot_said(ana)[before:] == ["Your order has shipped!"]
    eva.send("/novo @ana_s\tAnd it arrives tomorrow")
    await desk.settle()
    assert bot_said(ana)[-1] == "And it arrives tomorrow"


async def test_note_after_an_invisible_mark_never_reaches_the_client(sandbox, english_desk):
    """A note pasted with a leading zero-width space or right-to-left mark (invisible in the
    app) is still a note: the client never sees the team's words."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "\u200b// client is rude, keep it short")
    eva.comment(card, "\u200f// ask finance about the refund")
    await desk.settle()
    assert bot_said(ana) == []
    note_line = "📝 Internal note: it was not sent to the client."
    assert thread_texts(sandbox, ana).count(note_line) == 2


async def test_command_after_an_invisible_mark_is_not_sent_to_the_client(
        sandbox, english_desk):
    """`/fim` with an invisible mark in front (the name already ignores them inside it) must
    not reach the client as text: it runs, or at least stays in the thread."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "\ufeff/fim")
    await desk.settle()
    assert all("/fim" not in text for text in bot_said(ana)), bot_said(ana)
    assert card_of(sandbox, ana).text.startswith("⚪")


async def test_priority_argument_with_an_invisible_mark(sandbox, english_desk):
    """`/p 1` with a trailing zero-width space, or `alta` after a direction mark, names a
    priority: invisible format characters are ignored in the argument as in the name."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    rui = sandbox.admin("Rui Admin")
    rui.comment(card, "/p 1\u200b")
    await desk.settle()
    assert card_of(sandbox, ana).text.startswith("🔴"), thread_texts(sandbox, ana)[-1]
    rui.comment(card, "/p \u200flow")
    await desk.settle()
    assert card_of(sandbox, ana).text.startswith("🟢"), thread_texts(sandbox, ana)[-1]


async def test_client_message_after_fim_opens_the_next_atendimento(
        sandbox, english_desk):
    """The client writes right after the attendant typed /fim: order is kept per
    conversation, so that message comes after the end and opens atendimento #2; it must not
    be swallowed into the ended #1 with the end text and rating sent right after it."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment(card, "/fim")
    ana.send("Wait, one more question!")
    await desk.settle()
    texts = thread_texts(sandbox, ana)
    ended = next(i for i, t in enumerate(texts) if t.startswith("✅ Atendimento #1 ended"))
    question = texts.index("Wait, one more question!")
    assert ended < question, texts
    assert texts[question - 1].startswith("📂 Atendimento #2 opened"), texts
    assert card_of(sandbox, ana).text.startswith("🟡") and card_of(sandbox, ana).pinned


async def test_a_command_typo_fixed_by_an_edit_gets_an_answer(sandbox, english_desk):
    """`/fmi`, "unknown command", the attendant edits it into `/fim`: an edit runs no
    command, so the thread must say so (and how to end) rather than stay silent while the
    atendimento stays open."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    typo = eva.comment(card, "/fmi")
    await desk.settle()
    lines = len(sandbox.thread(card))
    eva.edit(typo, "/fim")
    await desk.settle()
    assert len(sandbox.thread(card)) == lines + 1
    assert thread_texts(sandbox, ana)[-1] == (
        "✏️ An edit runs no command: send /fim again as a new message.")
    assert card_of(sandbox, ana).text.startswith("🟡")  # still open: nothing ran


async def test_a_note_edited_into_an_answer_says_it_was_not_sent(sandbox, english_desk):
    """A draft written as a note (`// ...`) and edited to drop the `//`: the client never
    gets it (a note has no copy), and the thread still only says "it was not sent". The
    attendant must be told that the edit was not sent either (send it as a new comment)."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    note = eva.comment(card, "// draft: your refund is approved")
    await desk.settle()
    lines = len(sandbox.thread(card))
    eva.edit(note, "Your refund is approved")
    await desk.settle()
    assert bot_said(ana) == []
    assert len(sandbox.thread(card)) == lines + 1
    assert thread_texts(sandbox, ana)[-1].startswith(
        "✏️ This edit was not sent to the client: the message itself never reached them.")


async def test_end_text_to_a_client_who_blocked_the_bot_is_reported(sandbox, english_desk):
    """The client blocked the bot before /fim: the end text (and the rating question) cannot
    be delivered; as for any answer, the thread says so and the card shows the block."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    ana.block_bot()
    eva.comment(card, "/fim")
    await desk.settle()
    assert "⚠️ Not delivered: the client blocked the bot." in thread_texts(sandbox, ana)
    assert "The client blocked the bot." in card_of(sandbox, ana).text


async def test_a_command_in_the_groups_general_chat_gets_an_answer(sandbox, english_desk):
    """`/fim` typed in the discussion group's general chat (outside every card's thread) by
    a team member does nothing at all; a clear line saying commands go in a client's thread
    is expected."""
    desk = english_desk
    eva = sandbox.team_member("Eva Lima")
    mine = eva.say_in_group("/fim")
    eva.say_in_group("good morning, team")  # chatter gets nothing
    outsider = sandbox.client("Zé Ninguém")
    outsider.say_in_group("/fim")  # nor does someone outside the team
    await desk.settle()
    after = [m for i, m in sorted(sandbox.group.messages.items()) if i > mine.id]
    said = [m for m in after if getattr(m.from_id, "user_id", None) == sandbox.bot_id]
    assert len(said) == 1 and said[0].reply_to.reply_to_msg_id == mine.id
    assert said[0].message.startswith("ℹ️ Commands work inside a client's thread")


# --- what held -------------------------------------------------------------------------------


async def test_priority_buttons_refuse_forged_data_and_non_admins(sandbox, english_desk):
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    rui, eva = sandbox.admin("Rui Admin"), sandbox.team_member("Eva Lima")
    rui.comment(card, "/p")
    await desk.settle()
    prompt = sandbox.thread(card)[-1]
    press = eva.press(prompt, buttons(prompt)[0][0])
    await desk.settle()
    assert press.text == "Only channel administrators can use /p."
    for data in (b"p:1:URGENT", b"p:999999:urgent", b"p:", b"p:1:urgent:x", b"p:-1:low",
                 b"zz", b""):
        press = rui.press_data(prompt, data)
        await desk.settle()
        assert press.answered and press.text == "This button is no longer valid.", data
    assert card_of(sandbox, ana).text.startswith("🟡")
    assert bot_said(ana) == []


async def test_priority_spellings_and_a_restart_between_prompt_and_press(
        sandbox, english_desk):
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    rui = sandbox.admin("Rui Admin")
    for text, colour in (("/P ALTA", "🟠"), ("/p@sandbox_bot 🟢", "🟢"), ("/p\u00a01", "🔴"),
                         ("/prioridade #normal", "🟡")):
        rui.comment(card, text)
        await desk.settle()
        assert card_of(sandbox, ana).text.startswith(colour), text
    rui.comment(card, "/p")
    await desk.settle()
    prompt = sandbox.thread(card)[-1]
    await desk.stop()
    await desk.start()
    press = rui.press(prompt, "4 low")
    await desk.settle()
    assert press.text == "low" and card_of(sandbox, ana).text.startswith("🟢")
    assert bot_said(ana) == []


async def test_ban_and_unban_twice_say_where_things_stand(sandbox, english_desk):
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    rui = sandbox.admin("Rui Admin")
    for text in ("/ban", "/banir again", "/desbanir", "/unban"):
        rui.comment(card, text)
        await desk.settle()
    texts = thread_texts(sandbox, ana)
    assert "The client is already banned." in texts and "The client is not banned." in texts
    assert not card_of(sandbox, ana).text.startswith("⛔")
    assert bot_said(ana) == []  # ended silently by the ban: no end text, no rating


async def test_team_commands_typed_by_a_client_run_nothing(sandbox, english_desk):
    """A client typing the team's commands in their private chat: relayed as their words,
    never run; /novo is refused."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    for text in ("/fim", "/p 1", "/ban", "/marcar vip", "/n hi"):
        ana.send(text)
        await desk.settle()
    ana.send("/novo 1 I am the bot")
    await desk.settle()
    card = card_of(sandbox, ana)
    assert card.text.startswith("🟡") and "#open" in card.text and "#vip" not in card.text
    assert thread_texts(sandbox, ana)[-5:] == ["/fim", "/p 1", "/ban", "/marcar vip", "/n hi"]
    assert bot_said(ana)[-1] == "This is for the team only."


async def test_an_album_whose_caption_is_a_command_stays_in_the_thread_whole(
        sandbox, english_desk):
    """A caption is no command to Telegram, so the desk keeps such a message in the thread
    with a line; an album's items come one by one, and the copy of any of them would carry
    the whole album, that caption with it: none of them reaches the client (found by the
    fuzz bench, seed 3201)."""
    desk = english_desk
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment_album(card, ("photo", "video", "photo"), ("/p urgent",))
    await desk.settle()
    assert bot_said(ana) == []
    lines = [t for t in thread_texts(sandbox, ana) if t.startswith("🚫")]
    assert lines == ["🚫 Not sent to the client: a command in a caption is not run. Send /p as "
                     "a message of its own."]
    eva.comment_album(card, ("photo", "photo"), ("the two sides of the box",))
    await desk.settle()
    assert [m.kind for m in ana.chat() if m.from_bot] == ["photo", "photo"]  # others go
