"""Story: admins hear about new and returning clients; menus fit who looks; words fit who reads."""

from __future__ import annotations

from .conftest import bot_said, card_of, thread_texts


async def test_admin_who_started_the_bot_gets_notices_with_a_link(sandbox, desk):
    rui = sandbox.admin("Rui Admin", language="pt-br")
    eva = sandbox.team_member("Eva Lima")
    eva.start()
    rui.start()
    await desk.settle()
    ana = sandbox.client("Ana Souza")
    ana.start("site")
    ana.send("Preciso de ajuda com a entrega")
    await desk.settle()

    card = card_of(sandbox, ana)
    notice = bot_said(rui)[-1]
    assert notice.startswith("🆕 Novo cliente: Ana Souza")
    assert "site" in notice and "Preciso de ajuda com a entrega" in notice
    channel = str(sandbox.channel_chat_id).removeprefix("-100")
    copy = sandbox.thread(card)[-1]
    assert f"https://t.me/c/{channel}/{card.id}?comment={copy.id}" in notice
    assert len(bot_said(eva)) == 1  # a member who is no admin: only the start text

    eva.comment(card, "/fim")
    await desk.settle()
    ana.send("Voltei")
    await desk.settle()
    assert bot_said(rui)[-1].startswith("🔁 Ana Souza voltou")


async def test_notices_can_be_turned_off_and_on(sandbox, desk):
    rui = sandbox.admin("Rui Admin", language="pt-br")
    rui.start()
    rui.send("/notificacoes off")
    await desk.settle()
    assert bot_said(rui)[-1].startswith("🔕")
    sandbox.client("Ana").send("oi")
    await desk.settle()
    assert not bot_said(rui)[-1].startswith("🆕")
    rui.start()  # starting again does not undo the choice
    rui.send("/notificacoes on")
    sandbox.client("Bia").send("oi")
    await desk.settle()
    assert bot_said(rui)[-1].startswith("🆕 Novo cliente: Bia")
    rui.send("/notificacoes talvez")
    await desk.settle()
    assert "/notificacoes on" in bot_said(rui)[-1]


async def test_notification_command_is_for_admins_only(sandbox, desk):
    ana = sandbox.client("Ana", language="es")
    ana.send("/notificacoes on")
    await desk.settle()
    assert bot_said(ana)[-1].startswith("Este comando")
    assert sandbox.posts() == []  # a command is not a message for the team


async def test_menus_per_scope_and_language(sandbox, desk):
    client_pt = sandbox.client("Ana", language="pt-br")
    client_en = sandbox.client("John", language="en")
    eva = sandbox.team_member("Eva", language="es")
    assert [c for c, _ in sandbox.menu(client_pt)] == ["start", "idioma", "status"]
    assert sandbox.menu(client_en) == [("start", "Talk to us"), ("idioma", "Choose your language"),
                                       ("status", "Where your conversation stands")]
    team = sandbox.menu(eva, sandbox.group)
    assert [c for c, _ in team] == ["fim", "p", "ban", "desbanir", "resposta", "n", "marcar"]
    assert team[0][1].startswith("Finalizar") or team[0][1].startswith("Terminar")
    # Someone promoted after the desk started gets the admins' menu when Telegram tells the bot.
    eva_pt = sandbox.team_member("Eva Souza", language="pt-br")
    assert [c for c, _ in sandbox.menu(eva_pt)] == ["start", "idioma", "status"]
    sandbox.set_role(eva_pt, "admin")
    await desk.settle()
    assert [c for c, _ in sandbox.menu(eva_pt)] == ["start", "notificacoes", "respostas", "faq",
                                                    "novo"]


async def test_team_language_for_the_team_and_client_language_for_the_client(
        sandbox, english_desk):
    ana = sandbox.client("Ana", language="pt-br")
    ana.start()
    ana.send("oi")
    await english_desk.settle()
    card = card_of(sandbox, ana)
    assert "#open #normal" in card.text
    assert thread_texts(sandbox, ana)[0].startswith("📂 Atendimento #1 opened")
    assert bot_said(ana)[0].startswith("Olá")
    sandbox.team_member("Eva").comment(card, "/end")
    await english_desk.settle()
    assert thread_texts(sandbox, ana)[-1].startswith("✅ Atendimento #1 ended by Eva")
    end_text, question = bot_said(ana)[-2:]  # the end text, then the rating question
    assert "Obrigad" in end_text or "obrigad" in end_text
    assert question.startswith("Como foi o seu atendimento")


async def test_admin_list_is_refreshed_periodically(sandbox, desk):
    job = desk.app.scheduler.get_job("refresh-admins")
    assert job.trigger.interval.total_seconds() == 30 * 60
    new_admin = sandbox.admin("Nova Admin", language="pt-br")
    # Not known as an admin yet:
    assert [c for c, _ in sandbox.menu(new_admin)] == ["start", "idioma", "status"]
    job.func()  # what the scheduler runs every half hour
    await desk.settle()
    assert [c for c, _ in sandbox.menu(new_admin)] == ["start", "notificacoes", "respostas", "faq",
                                                        "novo"]
