"""Story: the team talks among itself in a client's thread — `/n` or `//` notes that never
reach the client, and colleagues asked for help by @mention in their private chat."""

from __future__ import annotations

import pytest

from atendimento.features.notes.mentions import mentioned
from atendimento.storage import open_database

from .conftest import bot_said, opened, thread_texts

KEPT = "📝 Internal note: it was not sent to the client."


@pytest.fixture
def desk(english_desk):
    return english_desk


def line_under(sandbox, card, note):
    """The bot's lines answering `note` in the thread."""
    return [m.text for m in sandbox.thread(card) if m.from_bot and m.reply_to == note.id]


def link_to(desk, card, note) -> str:
    return desk.app.desk.ctx.comment_link(card.id, note.id)


async def colleague(sandbox, desk, name, username, *, started=True, **kwargs):
    person = sandbox.team_member(name, username=username, **kwargs)
    if started:
        person.start()
        await desk.settle()
    return person


@pytest.mark.parametrize("text", ["// a cliente prefere ligação", "/n a cliente prefere",
                                  "/nota a cliente prefere", "/note she prefers calls",
                                  "//", "/n\nem duas linhas"])
async def test_a_note_stays_in_the_thread(sandbox, desk, text):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    note = eva.comment(card, text)
    await desk.settle()
    assert line_under(sandbox, card, note) == [KEPT]
    assert bot_said(ana) == []
    eva.comment(card, "Olá, Ana!")  # anything else still goes to the client
    await desk.settle()
    assert bot_said(ana) == ["Olá, Ana!"]


async def test_n_alone_says_how(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    command = eva.comment(card, "/n")
    await desk.settle()
    [usage] = line_under(sandbox, card, command)
    assert "/n" in usage and "//" in usage
    assert bot_said(ana) == []


@pytest.mark.parametrize("caption", ["// o comprovante dela", "/n o comprovante",
                                     "/NOTA comprovante"])
async def test_a_media_with_a_note_caption_is_a_note(sandbox, desk, caption):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    note = eva.comment(card, caption, media="photo")
    await desk.settle()
    assert line_under(sandbox, card, note) == [KEPT]
    assert ana.chat() == [m for m in ana.chat() if not m.from_bot]


async def test_an_album_with_a_note_caption_is_kept_whole(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    first, *_ = eva.comment_album(card, ("photo", "photo", "video"), ("// fotos do pedido",))
    await desk.settle()
    assert bot_said(ana) == [] and not [m for m in ana.chat() if m.from_bot]
    assert line_under(sandbox, card, first) == [KEPT]
    assert thread_texts(sandbox, ana).count(KEPT) == 1
    await desk.stop()  # the album is remembered in the database
    await desk.start()
    eva.comment_album(card, ("photo", "photo"))  # another album goes to the client as usual
    await desk.settle()
    assert len([m for m in ana.chat() if m.from_bot]) == 2


async def test_a_note_caption_after_the_album_went_says_so(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    _, second = eva.comment_album(card, ("photo", "photo"), ("", "// tarde demais"))
    await desk.settle()
    assert len([m for m in ana.chat() if m.from_bot]) == 2  # the album went, as a whole
    [warning] = line_under(sandbox, card, second)
    assert warning != KEPT and "⚠️" in warning


async def test_an_anonymous_admin_writes_notes_too(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    rui = sandbox.admin("Rui Admin", anonymous=True)
    note = rui.comment(card, "// só para a equipe", anonymous=True)
    await desk.settle()
    assert line_under(sandbox, card, note) == [KEPT]
    assert bot_said(ana) == []


async def test_an_outsiders_note_is_refused_like_anything_they_write(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    intruso = sandbox.client("Intruso")
    note = intruso.comment(card, "// olá")
    await desk.settle()
    [refused] = line_under(sandbox, card, note)
    assert refused != KEPT and "Intruso" in refused
    assert bot_said(ana) == []


async def test_an_edited_note_stays_in_the_thread(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    note = eva.comment(card, "// ela quer desconto")
    command_note = eva.comment(card, "/n ligar amanhã")
    await desk.settle()
    eva.edit(note, "// ela quer 10% de desconto")
    eva.edit(command_note, "Ligaremos amanhã")  # even with the mark gone
    await desk.settle()
    assert ana.chat() == [m for m in ana.chat() if not m.from_bot]
    assert thread_texts(sandbox, ana).count(KEPT) == 2  # no second line either


async def test_a_mention_tells_the_colleague_privately(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    bia = await colleague(sandbox, desk, "Bia Reis", "bia_reis", language="es")
    eva = sandbox.team_member("Eva Lima", username="eva")
    before = len(bot_said(bia))
    note = eva.comment(card, "// @Bia_Reis pode ver o pedido? @bia_reis")
    await desk.settle()
    [notice] = bot_said(bia)[before:]  # told once, though mentioned twice
    assert "Eva Lima" in notice and "Ana Souza" in notice
    assert "pode ver o pedido?" in notice
    assert notice.endswith(link_to(desk, card, note))
    [line] = line_under(sandbox, card, note)
    assert line.startswith(KEPT) and "Bia Reis" in line
    assert bot_said(ana) == []


async def test_the_n_command_mentions_too_and_admins_are_told(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    rui = sandbox.admin("Rui Admin", username="rui_admin")
    rui.start()
    await desk.settle()
    eva = sandbox.team_member("Eva Lima")
    before = len(bot_said(rui))
    note = eva.comment(card, "/n @rui_admin autoriza o reembolso?")
    await desk.settle()
    notices = [text for text in bot_said(rui)[before:] if link_to(desk, card, note) in text]
    assert len(notices) == 1 and "Eva Lima" in notices[0]


async def test_who_cannot_be_told_is_named_in_the_thread(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    await colleague(sandbox, desk, "Caio Dias", "caio", started=False)
    sandbox.admin("Ivo Admin", username="ivo")  # known as an admin, never started the bot
    desk.app.desk.team_changed()
    leo = await colleague(sandbox, desk, "Leo Ex", "leo_ex")
    sandbox.set_role(leo, None)  # left the team after starting the bot
    desk.app.desk.team_changed()
    await desk.settle()
    cliente = sandbox.client("Cli Ente", username="cli_ente")
    cliente.start()
    await desk.settle()
    eva = sandbox.team_member("Eva Lima", username="eva")
    heard = {p.id: len(bot_said(p)) for p in (leo, cliente)}
    note = eva.comment(card, "// @caio @ninguem @leo_ex @cli_ente @ivo ana@empresa.com")
    await desk.settle()
    [line] = line_under(sandbox, card, note)
    lines = line.split("\n")
    assert lines[0] == KEPT and len(lines) == 6
    for username in ("caio", "ninguem", "leo_ex", "cli_ente", "ivo"):
        [said] = [text for text in lines[1:] if f"@{username} " in text]
        assert "/start" in said  # how to become someone the desk can tell
    ivo_line, caio_line = (next(t for t in lines if f"@{u} " in t) for u in ("ivo", "caio"))
    assert ivo_line != caio_line.replace("@caio", "@ivo")  # never started, rather than unknown
    assert "empresa" not in line
    assert {p.id: len(bot_said(p)) for p in (leo, cliente)} == heard


async def test_mentioning_oneself_or_the_bot_does_nothing(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    eva = await colleague(sandbox, desk, "Eva Lima", "eva")
    bot = desk.app.desk.ctx.bot_username
    before = len(bot_said(eva))
    note = eva.comment(card, f"// lembrete para mim @eva @{bot}")
    await desk.settle()
    assert line_under(sandbox, card, note) == [KEPT]
    assert len(bot_said(eva)) == before


async def test_at_most_ten_are_told(sandbox, desk):
    ana, card = await opened(sandbox, desk)
    people = [await colleague(sandbox, desk, f"Pessoa {n}", f"pessoa_{n}") for n in range(12)]
    heard = [len(bot_said(p)) for p in people]
    eva = sandbox.team_member("Eva Lima")
    note = eva.comment(card, "// " + " ".join(f"@pessoa_{n}" for n in range(12)))
    await desk.settle()
    told = [len(bot_said(p)) - before for p, before in zip(people, heard, strict=True)]
    assert told == [1] * 10 + [0, 0]
    [line] = line_under(sandbox, card, note)
    assert "10" in line.split("\n")[-1]


async def test_remembered_albums_are_forgotten_after_a_day(sandbox, desk, database_url):
    ana, card = await opened(sandbox, desk)
    eva = sandbox.team_member("Eva Lima")
    eva.comment_album(card, ("photo", "photo"), ("// fotos",))
    await desk.settle()
    [notes] = [f for f in desk.app.desk.features if f.name == "notes"]
    [job] = notes.jobs
    db = open_database(database_url)
    try:
        await job.run()
        assert db.execute_sql("SELECT COUNT(*) FROM note_albums").fetchone()[0] == 1
        sandbox.clock.advance(25 * 3600)
        await job.run()
        assert db.execute_sql("SELECT COUNT(*) FROM note_albums").fetchone()[0] == 0
    finally:
        db.close()


@pytest.mark.parametrize("text, found", [
    ("@eva e @Rui, @EVA de novo", ["eva", "Rui"]),
    ("ana@empresa.com @@eva @ab @" + "a" * 33, []),  # an address, a double @, too short/long
    ("(@bia_reis) @caio.", ["bia_reis", "caio"]),
    ("@évora @eva_", ["eva_"]),
])
def test_the_mentions_read_in_a_note(text, found):
    assert mentioned(text) == found
