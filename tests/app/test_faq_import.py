"""`atendimento import-faq` and `atendimento reload` as a self-hoster runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from atendimento.faq_import import import_faq, slug
from atendimento.ready import load_ready

from .test_cli import run_cli

ROOT = Path(__file__).parents[2]


def test_a_semicolon_spreadsheet_from_windows_becomes_ready_answers(tmp_path: Path) -> None:
    sheet = tmp_path / "faq.csv"
    sheet.write_bytes(
        "Pergunta;Resposta;Palavras-chave\r\n"
        "Qual o prazo de entrega?;Capitais: até **5 dias úteis**.;prazo, entrega\r\n"
        ";;\r\n"
        "Vocês aceitam pix?;Sim, {nome}! A chave é o CNPJ.;pix\r\n"
        "Pergunta sem resposta;;\r\n"
        "Qual o prazo de entrega?;Outra resposta;\r\n".encode("cp1252"))
    result = import_faq(sheet, tmp_path / "respostas", "pt_BR")

    assert (result.new, result.updated, result.unchanged) == (3, 0, 0)
    assert result.problems == [f"{sheet}:5: the row needs both a question and an answer"]
    answers, problems = load_ready(tmp_path / "respostas")
    assert problems == []
    by_path = {a.path: a for a in answers}
    assert set(by_path) == {"pt_BR/prontas/qual-o-prazo-de-entrega.md",
                            "pt_BR/prontas/qual-o-prazo-de-entrega-2.md",
                            "pt_BR/prontas/voces-aceitam-pix.md"}
    pix = by_path["pt_BR/prontas/voces-aceitam-pix.md"]
    assert (pix.title, pix.keywords, pix.body) == (
        "Vocês aceitam pix?", ("pix",), "Sim, {nome}! A chave é o CNPJ.")

    again = import_faq(sheet, tmp_path / "respostas", "pt_BR")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)  # re-importing is safe


def test_rows_the_desk_could_not_send_are_reported_by_line(tmp_path: Path) -> None:
    sheet = tmp_path / "faq.csv"
    sheet.write_text("question,answer\nBroken?,\"**never closed\"\nBraces?,use {code}\n",
                     encoding="utf-8")
    result = import_faq(sheet, tmp_path / "respostas", "en")
    assert result.new == 0
    assert len(result.problems) == 2
    assert result.problems[0].startswith(f"{sheet}:2: ** is opened here but never closed")
    assert result.problems[1].startswith(f"{sheet}:3: unknown placeholder {{code}}")


def test_slugs_are_ascii_and_bounded() -> None:
    assert slug("Não recebi: e agora?!") == "nao-recebi-e-agora"
    assert len(slug("palavra " * 30)) <= 60
    assert slug("???") == "resposta"


def test_cli_import_faq_without_credentials_and_a_clear_error_without_header(
        tmp_path: Path) -> None:
    (tmp_path / "faq.csv").write_text("pergunta,resposta\nOi?,Olá!\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    ok = run_cli("import-faq", "faq.csv", cwd=tmp_path)
    bad = run_cli("import-faq", "bad.csv", cwd=tmp_path)

    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "respostas/pt_BR/prontas/oi.md").is_file()
    assert "1 new" in ok.stdout
    assert bad.returncode == 1
    assert "question column" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_reload_checks_the_files_then_signals_the_running_desk(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "respostas", tmp_path / "respostas")
    (tmp_path / "data").mkdir()
    flag = tmp_path / "reloaded"
    # A stand-in for the running desk: a process named atendimento that notes a SIGHUP.
    desk = subprocess.Popen(
        [sys.executable, "-c", "import signal, sys, pathlib, time\n"
         "signal.signal(signal.SIGHUP, lambda *_: pathlib.Path(sys.argv[1]).write_text('y'))\n"
         "print('ready', flush=True)\n"
         "time.sleep(30)\n", str(flag), "atendimento"], stdout=subprocess.PIPE, text=True)
    try:
        assert desk.stdout.readline().strip() == "ready"
        (tmp_path / "data/atendimento.pid").write_text(f"{desk.pid}\n")
        result = run_cli("reload", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert f"pid {desk.pid}" in result.stdout
        for _ in range(500):  # the signal lands within milliseconds; allow a slow machine
            if flag.exists():
                break
            time.sleep(0.01)
        assert flag.read_text() == "y"
    finally:
        desk.kill()
        desk.wait()

    (tmp_path / "respostas/pt_BR/prontas/ruim.md").write_text("sem cabeçalho\n")
    broken = run_cli("reload", cwd=tmp_path)
    assert broken.returncode == 2
    assert "ruim.md:1" in broken.stderr
