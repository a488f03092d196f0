"""The BM25F ranking the new FAQ matcher is built on: stems per language, typos, the words
that matched, and a confidence that drops for what should go to a person."""

from __future__ import annotations

from atendimento.domain.faq import Answer
from atendimento.domain.faq_ranked import AUTO_THRESHOLD, SUGGEST_THRESHOLD, RankedMatcher
from atendimento.domain.faq_words import stems

ANSWERS = [
    Answer(1, "pt_BR", "Como cancelo minha assinatura?", ("cancelar", "cancelamento"),
           "Em Minha conta > Assinatura > Cancelar."),
    Answer(2, "pt_BR", "Qual o prazo de entrega?", ("prazo de entrega", "quando chega"),
           "Até 5 dias úteis nas capitais."),
    Answer(3, "pt_BR", "Como troco a senha?", ("senha", "esqueci a senha"),
           "Use o link Esqueci a senha na entrada."),
    Answer(4, "en", "How do I reset my password?", ("password", "reset password"),
           "Use the Forgot password link."),
]


def test_forms_of_a_word_meet_in_each_language():
    assert stems("cancelei", "pt_BR") == stems("cancelamento", "pt_BR") == ["cancel"]
    assert stems("resetting passwords", "en") == stems("reset password", "en")


def test_the_best_answer_comes_first_with_the_words_that_matched():
    matcher = RankedMatcher(ANSWERS)
    explained = matcher.explain("oi, quero cancelar minha assinatura", "pt_BR")
    assert explained.match.answer_id == 1 and explained.suggestions[0] == 1
    assert set(explained.matched) == {"cancelar", "assinatura"}
    assert matcher.ranked("qnd chega meu pedido?", "pt_BR", 3)[0] == 2
    assert matcher.best("forgot my pasword", "en").answer_id == 4  # a typo
    assert matcher.best("forgot my password", "es") is None  # no answers in that language
    assert matcher.best("ok obrigado", "pt_BR") is None  # nothing to match


def test_a_clear_question_is_surer_than_a_vague_one():
    matcher = RankedMatcher(ANSWERS)
    clear = matcher.best("como faço pra cancelar a assinatura", "pt_BR").score
    vague = matcher.best("assinatura da minha mae no cartorio 123", "pt_BR").score
    assert clear > vague


def test_one_word_is_at_most_a_suggestion_however_well_it_matches():
    matcher = RankedMatcher(ANSWERS)
    one = matcher.best("senha?", "pt_BR")
    assert one.answer_id == 3 and SUGGEST_THRESHOLD <= one.score < AUTO_THRESHOLD
    assert matcher.best("esqueci a senha, como troco?", "pt_BR").score > one.score


def test_a_client_who_asks_an_answers_own_question_gets_it():
    matcher = RankedMatcher(ANSWERS)
    for asked in ("Como cancelo minha assinatura?", "como cancelo minha assinatura",
                  "Qual o prazo de entrega?", "prazo de entrega", "PRAZO DE ENTREGA!!",
                  "esqueci a senha", "How do I reset my password?"):
        language = "en" if asked.startswith("How") else "pt_BR"
        found = matcher.best(asked, language)
        assert found.score >= AUTO_THRESHOLD, asked
        assert found.answer_id == (4 if language == "en" else
                                   1 if "cancelo" in asked else 2 if "prazo" in asked.lower()
                                   else 3)


def test_asking_the_question_is_not_enough_when_more_is_said_or_it_is_ambiguous():
    matcher = RankedMatcher(ANSWERS)
    asked = matcher.best("Qual o prazo de entrega?", "pt_BR").score
    # A number is the client's own case (an order): the model decides, as for any message.
    assert matcher.best("Qual o prazo de entrega do pedido 4412?", "pt_BR").score < asked
    # One keyword of one word is not a question (the one-word cap still holds).
    assert matcher.best("senha", "pt_BR").score < AUTO_THRESHOLD
    # A question two answers share decides nothing by itself.
    twins = [*ANSWERS, Answer(5, "pt_BR", "Qual o prazo de entrega?", (), "Depende da região.")]
    shared = RankedMatcher(twins).best("Qual o prazo de entrega?", "pt_BR")
    assert shared.score < asked

