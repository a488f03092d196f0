"""`atendimento sandbox`: a scenario file plays the real desk and prints what everyone sees."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from atendimento import demo
from atendimento.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "atendimento.txt"


async def test_the_example_plays_a_whole_atendimento():
    out = io.StringIO()
    assert await demo.play(EXAMPLE.read_text().splitlines(), out, {}) == 0
    transcript = out.getvalue()
    for expected in [
        "📌 card:\n    🟡 Ana Souza",
        "📂 Atendimento #1 aberto a partir de “instagram”",
        "[ana's chat] 🤖 bot: Oi Ana, vou verificar com a transportadora.",
        "#aberto #alta",
        "✅ Atendimento #1 encerrado por Eva Lima após 25 minutos",
        "[rui's chat] 🤖 bot: 🔁 Ana Souza voltou",
        "📂 Atendimento #2 aberto",
    ]:
        assert expected in transcript
    assert "[ana's chat] 🤖 bot: /fim" not in transcript


async def test_a_line_it_cannot_read_says_how_to_write_it():
    out = io.StringIO()
    assert await demo.play(["ana = client \"Ana\"", "ana says hi"], out, {}) == 2
    assert "line 2: cannot read 'ana says hi'" in out.getvalue()
    out = io.StringIO()
    assert await demo.play(["eva > ana: oi"], out, {}) == 2
    assert "who is eva?" in out.getvalue()


async def test_interactive_prompt_reads_until_quit(monkeypatch):
    answers = iter(["ana = client \"Ana\" es", "ana: hola", "nonsense", "quit"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    out = io.StringIO()
    assert await demo.play(None, out, {}) == 0
    text = out.getvalue()
    assert "[ana's thread] 🤖 bot: hola" in text and "cannot read 'nonsense'" in text


def test_cli_script_needs_no_configuration(tmp_path, capsys, monkeypatch):
    for name in ("API_ID", "API_HASH", "BOT_TOKEN", "CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "s.txt"
    script.write_text("bia = client \"Bia\"\nbia: oi\n", encoding="utf-8")
    assert main(["sandbox", "--script", str(script)]) == 0
    assert "[bia's thread] 🤖 bot: oi" in capsys.readouterr().out
    assert main(["sandbox", "--script", str(tmp_path / "missing.txt")]) == 2


@pytest.mark.parametrize("text, seconds", [("30m", 1800), ("2h", 7200), ("1d 3h", 97200)])
def test_durations(text, seconds):
    assert demo.parse_duration(text) == seconds


async def test_parallel_mode_plays_beside_an_existing_bot():
    out = io.StringIO()
    script = (EXAMPLE.parent / "parallel.txt").read_text().splitlines()
    assert await demo.play(script, out, {}, parallel=True) == 0
    transcript = out.getvalue()
    for expected in [
        "[ana's chat] 🤖 bot: Olá, Ana! Sou o bot da loja.",  # the existing bot greets
        "🤖 Olá, Ana! Sou o bot da loja.\n    \n    🔘 [Preços] · [Site ↗ https://example.org]",
        "[ana's thread] 🤖 bot: 👆 O cliente apertou «Preços»",
        "[ana's thread] 🤖 bot: 🤖 A tabela de preços está em example.org/precos",
        "[ana's thread] 🤖 bot: 🤖 Recebido: Tem o vestido azul no tamanho M?",
        "[ana's chat] 🤖 bot: Oi Ana, sou a Eva: tem sim, separei um para você.",
        "✅ Atendimento #1 encerrado por Eva Lima",
    ]:
        assert expected in transcript
    chat = [line for line in transcript.splitlines() if line.startswith("  [ana's chat] 🤖")]
    assert len(chat) == 5  # greeting, prices, two echoes, Eva; no end text: SILENT_MODE


async def test_a_button_nobody_shows_is_named():
    out = io.StringIO()
    assert await demo.play(["ana = client \"Ana\"", "ana: oi", "ana presses \"Comprar\""],
                           out, {}) == 2
    assert "line 3: no button 'Comprar' in that chat" in out.getvalue()
