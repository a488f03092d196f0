"""Broken texts are refused at start-up with every problem, each at its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from atendimento.i18n import Translator
from atendimento.texts import Texts, TextsError

FIXTURES = Path(__file__).parent / "fixtures"


def problems(directory: Path, team_language: str = "pt_BR") -> list[str]:
    with pytest.raises(TextsError) as caught:
        Texts.load(directory, team_language)
    return [str(problem) for problem in caught.value.problems]


def test_all_problems_are_reported_at_once_with_file_and_line() -> None:
    root = FIXTURES / "broken"
    assert problems(root) == [
        f"{root}/en/inicio.md:1: placeholder {{numero}} is not available in inicio.md "
        "(available: nome, nome_completo, usuario)",
        f"{root}/en/inicio.md:2: lone {{; write {{{{ for a literal brace",
        f"{root}/en/inicio.md:3: only a language name may follow ``` on its line; "
        "put the code on the next lines",
        f"{root}/en/inicio.md:4: ` is opened here but never closed",
        f"{root}/english: not a language folder: name it with a language code such as "
        "pt_BR, en or es",
        f"{root}/es/fim.mb: unknown text file (known: inicio.md, recomeco.md, fim.md, banido.md, "
        "avaliacao.md)",
        f"{root}/pt_BR/banido.md: missing: pt_BR is the last fallback, so it needs every text",
        f"{root}/pt_BR/fim.md:1: placeholder {{numero:03}} cannot have a format or conversion; "
        "write {numero}",
        f"{root}/pt_BR/fim.md:2: link without its closing parenthesis; write [text](address)",
        f"{root}/pt_BR/fim.md:3: ** closes while __ from line 3 is still open; "
        "close the inner one first",
        f"{root}/pt_BR/inicio.md:3: unknown placeholder {{nme}} "
        "(known: nome, nome_completo, usuario)",
        f"{root}/pt_BR/inicio.md:5: ** is opened here but never closed",
        f"{root}/pt_BR/recomeco.md: missing: pt_BR is the last fallback, so it needs every text",
    ]


def test_the_error_message_lists_everything_and_speaks_the_team_language() -> None:
    with pytest.raises(TextsError) as caught:
        Texts.load(FIXTURES / "broken")
    assert str(caught.value).count("\n") == len(caught.value.problems) - 1
    described = caught.value.describe(Translator("pt_BR"), "pt_BR").splitlines()
    assert described[0] == "13 problemas nos textos:"
    assert described[-1].endswith(
        "recomeco.md: faltando: pt_BR é o último recurso, então precisa de todos os textos"
    )
    assert "marcador desconhecido {nme} (conhecidos: nome, nome_completo, usuario)" in (
        "\n".join(described)
    )


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "partial", tmp_path / "respostas")
    return tmp_path / "respostas"


def test_file_problems(valid: Path) -> None:
    (valid / "en" / "inicio.md").write_bytes(b"Hello\n\xe7a va {nome}\n")
    (valid / "es" / "inicio.md").write_text(" \n\n", encoding="utf-8")
    (valid / "pt_PT" / "inicio.md").unlink()
    (valid / "pt_PT" / "inicio.md").mkdir()
    (valid / "pt_BR" / "fim.md").unlink()
    found = problems(valid)
    assert found[0] == (
        f"{valid}/en/inicio.md:2: not valid UTF-8 (byte 0xe7): save the file as UTF-8"
    )
    assert found[1] == f"{valid}/es/inicio.md: the file is empty"
    assert found[2] == (
        f"{valid}/pt_BR/fim.md: missing: pt_BR is the last fallback, so it needs every text"
    )
    assert found[3].startswith(f"{valid}/pt_PT/inicio.md: cannot read the file: ")
    assert len(found) == 4


def test_missing_directory_and_bad_team_language(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere", "pt br!") == [
        "LANGUAGE: pt br! is not a language code (use one like pt_BR, en or es)",
        f"{tmp_path / 'nowhere'}: the texts directory does not exist",
    ]


def test_bom_crlf_and_hidden_files_are_fine(valid: Path) -> None:
    (valid / "en" / "inicio.md").write_bytes("\ufeffHi **{nome}**\r\nbye\r\n".encode())
    (valid / "en" / ".inicio.md.swp").write_bytes(b"\x00\xff")
    (valid / ".git").mkdir()
    texts = Texts.load(valid)
    assert texts.render("start", "en", nome="Ana", nome_completo="", usuario="") == (
        "Hi **Ana**\nbye"
    )


def test_a_text_that_would_not_fit_with_the_longest_names_is_refused(tmp_path) -> None:
    """Telegram refuses a text over 4096 characters outright, and the client who pressed Start
    would get nothing: the check counts each placeholder as the longest name it can hold."""
    root = tmp_path / "respostas"
    shutil.copytree(Path(__file__).parents[2] / "respostas", root)
    (root / "en" / "inicio.md").write_text("Hi {nome_completo}!\n\n" + "word " * 810 + "\n")
    assert problems(root) == [
        f"{root}/en/inicio.md:1: with the longest names its placeholders can hold, the text has "
        "about 4314 characters; Telegram allows 4096"]
    (root / "en" / "inicio.md").write_text("Hi {nome_completo}!\n\n" + "word " * 760 + "\n")
    assert Texts.load(root, "pt_BR").render("start", "en", nome="Ana", nome_completo="Ana",
                                            usuario="Ana").startswith("Hi Ana!")
