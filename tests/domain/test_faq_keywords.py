"""Keywords proposed from what the team answered (FAQ_LEARN): distinctive words of a reply's
questions that it does not know yet, and what adding them would change."""

from __future__ import annotations

from atendimento.domain.faq import Answer
from atendimento.domain.faq_keywords import (
    QUESTION_WORDS_KEPT,
    propose,
    question_words,
    with_effect,
)

PRAZO = Answer(1, "pt_BR", "Qual o prazo de entrega?", ("prazo", "entrega"),
               "Entregamos em até 5 dias úteis.")
TROCA = Answer(2, "pt_BR", "Como faço uma troca?", ("troca", "trocar tamanho"),
               "Pelo app, em Meus pedidos.")
BOLETO = Answer(3, "pt_BR", "Paguei o boleto e não compensou", ("boleto",),
                "O boleto compensa em até 3 dias úteis.")
ANSWERS = [PRAZO, TROCA, BOLETO]


def test_what_is_kept_of_a_question_is_its_words_without_numbers():
    said = question_words("Oi!! Meu pedido #48213 NÃO chegou, tel (11) 99876-5432; CPF 123.456")
    assert said == "oi meu pedido não chegou tel cpf"
    assert question_words("12345 678") == ""
    assert len(question_words("palavra " * 500).split()) == QUESTION_WORDS_KEPT


def test_words_many_questions_of_one_reply_share_are_proposed_in_the_form_clients_wrote():
    learned = [(1, "cade meu pedido"), (1, "cadê o pedido que comprei"),
               (1, "meu pedido nao chegou cade"), (1, "ainda não chegou"),
               (2, "quero trocar o pedido"), (3, "o boleto do pedido nao compensou")]
    [prazo, *others] = propose(ANSWERS, learned)
    assert prazo.answer == PRAZO and len(prazo.questions) == 4
    # "pedido" is asked with other replies too: not distinctive; cade/cadê join by fold.
    assert prazo.keywords == (("cade", 3), ("chegou", 2))
    assert [p.answer.id for p in others] == [2, 3]
    assert all(p.keywords == () for p in others)  # one question each: below the minimum


def test_words_a_reply_knows_are_not_proposed_and_forms_meet_by_stem():
    learned = [(3, "paguei os boletos ontem"), (3, "boleto pago nao compensou"),
               (3, "fiz um pix e nao caiu"), (3, "o pix não caiu")]
    [boleto] = propose(ANSWERS, learned)
    # boletos/boleto, pago/paguei (in its title) and compensou are known by stem.
    assert dict(boleto.keywords) == {"pix": 2, "caiu": 2}


def test_a_phrase_is_proposed_when_its_words_alone_say_nothing():
    learned = [(1, "preciso da nota fiscal"), (1, "cadê a nota fiscal"),
               (2, "nota do produto veio errada"), (3, "fiscal da loja")]
    [prazo, *_] = propose(ANSWERS, learned)
    assert dict(prazo.keywords) == {"nota fiscal": 2}


def test_min_questions_and_unknown_replies():
    learned = [(1, "cade meu pedido"), (99, "cade")]  # 99: a reply deleted since
    [prazo] = propose(ANSWERS, learned, min_questions=1)
    assert dict(prazo.keywords) == {"cade": 1, "pedido": 1}
    assert propose(ANSWERS, []) == []


def test_the_effect_counts_questions_the_faq_would_answer_by_itself():
    learned = [(1, "cade meu pedido"), (1, "cade o pedido"), (1, "meu pedido cade")]
    [prazo] = with_effect(propose(ANSWERS, learned), ANSWERS, threshold=0.5)
    assert dict(prazo.keywords) == {"cade": 3, "pedido": 3}
    assert prazo.before == 0
    assert prazo.after == 3
