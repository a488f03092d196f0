"""Who may do what on the Telegram side, at its edges: a username that moved to another
account, an anonymous admin of the group who is not the team, an answer edited into a note or
a command, commands the desk does not run. Each was once broken (found by an adversarial
review)."""

from __future__ import annotations

import pytest

from atendimento.sandbox.world import Member

from .conftest import bot_said, card_of, thread_texts


async def test_novo_by_username_reaches_who_holds_it_now_not_a_stale_row(sandbox, desk):
    """A username moves between accounts: Ana gave up @ana_s (without writing again), Bia
    took it and wrote. /novo @ana_s must write to Bia, never to Ana."""
    ana = sandbox.client("Ana Souza", username="ana_s", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    ana.account.username = "ana_nova"  # changed in Telegram; the desk has not seen it yet
    bia = sandbox.client("Bia Lima", username="ana_s", language="pt-br")
    bia.send("Olá")
    await desk.settle()
    eva = sandbox.team_member("Eva Lima", language="en")
    eva.send("/novo @ana_s Seu CPF 123.456.789-00 foi confirmado")
    await desk.settle()

    assert not any("CPF" in t for t in bot_said(ana))
    assert any("CPF" in t for t in bot_said(bia))


async def test_an_answer_edited_into_a_note_does_not_reach_the_client(sandbox, desk):
    """An attendant answered, then thought better of it and turned the comment into an
    internal note (`//` in front). The client's copy must not become the note."""
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima")
    answer = eva.comment(card, "Já verifiquei")
    await desk.settle()
    eva.edit(answer, "// cliente suspeito de fraude, não reembolsar")
    await desk.settle()

    assert not any("fraude" in t for t in bot_said(ana))
    assert bot_said(ana)[-1] == "Já verifiquei"
    assert any("nota interna" in t for t in thread_texts(sandbox, ana))


async def test_a_group_admin_who_is_not_in_the_channel_is_not_the_team(sandbox, desk):
    """Someone made an admin of the discussion group only (not a member of the channel, so
    not the team) posts anonymously, as the group: nothing is relayed, no command runs."""
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    before = card_of(sandbox, ana).text
    zeca = sandbox.client("Zeca Grupo")
    sandbox.group.members[zeca.id] = Member(zeca.id, "admin", sandbox.world.now(),
                                            rights={"anonymous": True})
    zeca.comment(card, "Pague por este link: http://golpe", anonymous=True)
    zeca.comment(card, "/p 1", anonymous=True)
    await desk.settle()

    assert bot_said(ana) == []
    assert card_of(sandbox, ana).text == before
    assert any("anonimamente" in t for t in thread_texts(sandbox, ana))


async def test_a_member_who_is_a_group_admin_gets_no_channel_admin_command(sandbox, desk):
    """/ban is for channel admins. A team member who is no channel admin, but an admin of
    the discussion group, posts /ban anonymously (as the group): it must not ban."""
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima", language="pt-br")
    eva.comment(card, "/ban")  # as herself: refused, admins only
    await desk.settle()
    assert not card_of(sandbox, ana).text.startswith("⛔")
    sandbox.group.members[eva.id] = Member(eva.id, "admin", sandbox.world.now(),
                                           rights={"anonymous": True})
    eva.comment(card, "/ban", anonymous=True)
    await desk.settle()

    assert not card_of(sandbox, ana).text.startswith("⛔")


async def test_an_answer_edited_into_a_command_does_not_reach_the_client(sandbox, desk):
    """Commands stay in the thread (design.md §4.5); an edit runs none, so the command an
    attendant typed over their comment must not become the client's copy either."""
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima")
    answer = eva.comment(card, "ok")
    await desk.settle()
    eva.edit(answer, "/ban golpista")
    await desk.settle()

    assert "/ban golpista" not in bot_said(ana)
    assert bot_said(ana)[-1] == "ok"


@pytest.mark.parametrize("how", ["other_bot", "caption"])
async def test_a_command_the_desk_does_not_run_still_stays_in_the_thread(sandbox, desk, how):
    """`/xyz` stays in the thread as an unknown command; a command addressed to another bot
    of the group, or typed as a photo's caption (as `/n` under a photo is a note), must not
    be sent to the client either."""
    ana = sandbox.client("Ana Souza", language="pt-br")
    ana.send("Oi")
    await desk.settle()
    card = card_of(sandbox, ana)
    eva = sandbox.team_member("Eva Lima")
    if how == "other_bot":
        eva.comment(card, "/ban@outrobot golpista")
    else:
        eva.comment(card, "/ban golpista", media="photo")
    await desk.settle()

    assert bot_said(ana) == [] and len(ana.chat()) == 1
    assert any("Não enviado ao cliente" in t and "/ban" in t for t in thread_texts(sandbox, ana))
