"""Ready answers and handover words in respostas/: read, checked, located as file:line."""

from __future__ import annotations

from pathlib import Path

from atendimento.ready import load_handover_words, load_ready, signature

ROOT = Path(__file__).parents[2]

GOOD = """---
title: Qual é o prazo de entrega?
keywords: prazo, entrega, quando chega
---
Olá, {nome}! Capitais recebem em até **5 dias úteis**.
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_ready_answer_has_title_keywords_body_and_language(tmp_path: Path) -> None:
    write(tmp_path, "pt_BR/prontas/prazo.md", GOOD)
    write(tmp_path, "pt_BR/prontas/.rascunho.md", "ignored")
    answers, problems = load_ready(tmp_path)
    assert problems == []
    [answer] = answers
    assert (answer.path, answer.language, answer.title) == (
        "pt_BR/prontas/prazo.md", "pt_BR", "Qual é o prazo de entrega?")
    assert answer.keywords == ("prazo", "entrega", "quando chega")
    assert answer.body == "Olá, {nome}! Capitais recebem em até **5 dias úteis**."


def test_every_problem_is_reported_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "pt_BR/prontas/sem-frente.md", "Só o corpo\n")
    write(tmp_path, "pt_BR/prontas/aberta.md", "---\ntitle: x\n")
    write(tmp_path, "pt_BR/prontas/chaves.md", "---\ntitulo: x\nsem dois pontos\n---\ncorpo\n")
    write(tmp_path, "pt_BR/prontas/corpo.md", "---\ntitle: x\n---\n\nOi {nme}\n**aberto\n")
    write(tmp_path, "pt_BR/prontas/vazia.md", "---\ntitle: x\n---\n")
    write(tmp_path, "pt_BR/prontas/nota.txt", "texto")
    answers, problems = load_ready(tmp_path)
    assert answers == []
    found = sorted(str(p).replace(str(tmp_path) + "/", "") for p in problems)
    assert found == sorted([
        "pt_BR/prontas/sem-frente.md:1: a ready answer starts with a front matter: a line ---, "
        "then title: and keywords: lines, then a line ---",
        "pt_BR/prontas/aberta.md:1: the front matter is never closed with a line ---",
        "pt_BR/prontas/chaves.md:2: unknown key titulo (known: title, keywords)",
        "pt_BR/prontas/chaves.md:3: write key: value here (known keys: title, keywords)",
        "pt_BR/prontas/chaves.md:1: the front matter needs a title: line",
        "pt_BR/prontas/corpo.md:5: unknown placeholder {nme} (known: nome, nome_completo, "
        "usuario)",
        "pt_BR/prontas/corpo.md:6: ** is opened here but never closed",
        "pt_BR/prontas/vazia.md:3: the answer itself is missing after the front matter",
        "pt_BR/prontas/nota.txt: ready answers are .md files",
    ])


def test_signature_changes_with_any_ready_file_or_handover_file(tmp_path: Path) -> None:
    path = write(tmp_path, "pt_BR/prontas/prazo.md", GOOD)
    before = signature(tmp_path)
    path.write_text(GOOD + "\nMais uma linha.\n", encoding="utf-8")
    edited = signature(tmp_path)
    write(tmp_path, "es/atendente.txt", "humano\n")
    assert len({before, edited, signature(tmp_path)}) == 3


def test_handover_words_per_language_without_comments(tmp_path: Path) -> None:
    write(tmp_path, "pt_BR/atendente.txt", "# comentário\natendente\n\nfalar com alguém # sim\n")
    assert load_handover_words(tmp_path) == {"pt_BR": ("atendente", "falar com alguém")}


def test_shipped_respostas_have_handover_words_in_every_language() -> None:
    words = load_handover_words(ROOT / "respostas")
    assert set(words) == {"pt_BR", "en", "es", "it", "ru"} and all(words.values())
    assert load_ready(ROOT / "respostas")[1] == []
