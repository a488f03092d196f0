"""The FAQ matcher against a store's knowledge base: paraphrases answered, near misses not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from atendimento.domain.faq import (
    AUTO_THRESHOLD,
    SUGGEST_THRESHOLD,
    Answer,
    FaqMatcher,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "faq"
PRONTAS = FIXTURES / "pt_BR" / "prontas"
NO_ANSWER = "-"


@dataclass(frozen=True)
class Question:
    text: str
    expected: str  # the stem of the answer's file, or NO_ANSWER
    note: str


def read_answer(path: Path, answer_id: int) -> Answer:
    """An answer file: `---`, `title: …`, `keywords: a, b`, `---`, then the body."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "---", f"{path.name}: no front matter"
    end = lines.index("---", 1)
    fields = dict(line.split(": ", 1) for line in lines[1:end])
    keywords = tuple(k.strip() for k in fields["keywords"].split(",") if k.strip())
    body = "\n".join(lines[end + 1:]).strip()
    return Answer(answer_id, "pt_BR", fields["title"], keywords, body)


@pytest.fixture(scope="module")
def knowledge_base() -> tuple[list[Answer], dict[str, int]]:
    paths = sorted(PRONTAS.glob("*.md"))
    answers = [read_answer(path, index) for index, path in enumerate(paths)]
    return answers, {path.stem: index for index, path in enumerate(paths)}


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    header, *rows = (FIXTURES / "perguntas.tsv").read_text(encoding="utf-8").splitlines()
    assert header.split("\t")[:2] == ["pergunta", "esperada"]
    parsed = []
    for row in rows:
        text, expected, *note = row.split("\t")
        parsed.append(Question(text, expected, note[0] if note else ""))
    return parsed


@pytest.fixture(scope="module")
def matcher(knowledge_base: tuple[list[Answer], dict[str, int]]) -> FaqMatcher:
    return FaqMatcher(knowledge_base[0])


def test_the_knowledge_base_is_a_real_one(knowledge_base):
    answers, _ = knowledge_base
    assert len(answers) >= 55
    for answer in answers:
        assert answer.question and answer.keywords and answer.body, answer


def test_the_questions_are_enough_and_name_real_answers(knowledge_base, questions):
    _, ids = knowledge_base
    positive = [q for q in questions if q.expected != NO_ANSWER]
    assert len(positive) >= 80
    assert len(questions) - len(positive) >= 40
    assert {q.expected for q in positive} <= ids.keys()


def test_paraphrases_are_answered_automatically(knowledge_base, matcher, questions):
    _, ids = knowledge_base
    names = {index: stem for stem, index in ids.items()}
    failures = []
    for question in questions:
        if question.expected == NO_ANSWER:
            continue
        match = matcher.best(question.text, "pt_BR")
        if match is None or match.answer_id != ids[question.expected]:
            got = names[match.answer_id] if match else None
            failures.append(f"{question.text!r}: expected {question.expected}, got {got}")
        elif match.score < AUTO_THRESHOLD:
            failures.append(
                f"{question.text!r}: {question.expected} only at {match.score:.3f} "
                f"(runner-up {match.runner_up:.3f})"
            )
    assert not failures, "\n".join(failures)


def test_near_misses_are_not_answered_automatically(knowledge_base, matcher, questions):
    _, ids = knowledge_base
    names = {index: stem for stem, index in ids.items()}
    failures = []
    for question in questions:
        if question.expected != NO_ANSWER:
            continue
        match = matcher.best(question.text, "pt_BR")
        if match is not None and match.score >= AUTO_THRESHOLD:
            failures.append(
                f"{question.text!r} ({question.note}): {names[match.answer_id]} "
                f"at {match.score:.3f}"
            )
    assert not failures, "\n".join(failures)


def test_thresholds_are_ordered():
    assert 0 < SUGGEST_THRESHOLD < AUTO_THRESHOLD < 1


def test_only_answers_in_the_language_asked_for_count():
    answers = [
        Answer(1, "pt_BR", "Qual é o prazo de entrega?", ("prazo de entrega",), "5 dias."),
        Answer(2, "en", "How long does delivery take?", ("delivery time",), "5 days."),
    ]
    matcher = FaqMatcher(answers)
    english = matcher.best("how long will delivery take", "en")
    assert english is not None and english.answer_id == 2
    portuguese = matcher.best("qual o prazo de entrega?", "pt_BR")
    assert portuguese is not None and portuguese.answer_id == 1
    assert matcher.best("qual o prazo de entrega?", "en") is None
    assert matcher.best("qual o prazo de entrega?", "es") is None


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "?!", "ok obrigado", "48213"])
def test_nothing_to_match_gives_none(matcher, text):
    assert matcher.best(text, "pt_BR") is None


def test_accents_and_case_do_not_matter(matcher):
    written = [
        "Não recebi o código de rastreio do meu pedido",
        "nao recebi o codigo de rastreio do meu pedido",
        "NÃO RECEBI O CÓDIGO DE RASTREIO DO MEU PEDIDO",
    ]
    matches = [matcher.best(text, "pt_BR") for text in written]
    assert matches[0] is not None
    assert matches[1:] == matches[:1] * 2


def test_a_message_fitting_two_answers_equally_is_not_answered():
    answers = [
        Answer(1, "pt_BR", "Como cancelo meu pedido?", ("cancelar pedido",), "Em Meus pedidos."),
        Answer(2, "pt_BR", "Posso cancelar o pedido?", ("cancelar o pedido",), "Sim, por aqui."),
    ]
    match = FaqMatcher(answers).best("quero cancelar o pedido", "pt_BR")
    assert match is not None
    assert match.score < SUGGEST_THRESHOLD
    assert match.runner_up > AUTO_THRESHOLD


def test_one_content_word_is_a_suggestion_at_most(matcher):
    match = matcher.best("parcelamento?", "pt_BR")
    assert match is not None
    assert SUGGEST_THRESHOLD <= match.score < AUTO_THRESHOLD


def test_an_angry_client_gets_a_person(matcher):
    calm = matcher.best("quero falar com um atendente", "pt_BR")
    angry = matcher.best("quero falar com um atendente, que absurdo", "pt_BR")
    assert calm is not None and calm.score >= AUTO_THRESHOLD
    assert angry is not None and angry.answer_id == calm.answer_id
    assert angry.score < AUTO_THRESHOLD
