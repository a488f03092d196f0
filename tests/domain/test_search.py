"""Saved-reply search: forgiving matches, ranking, paging, incremental updates, and the index
always answering exactly as the brute-force reference does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atendimento.domain.search import (
    ReplyIndex,
    Searchable,
    naive_search,
    one_edit_apart,
    quality,
)


def reply(id_: int, title: str = "", keywords: tuple[str, ...] = (), body: str = "",
          uses: int = 0, recency: float = 0.0) -> Searchable:
    return Searchable(id_, title, keywords, body, uses, recency)


DESK = [
    reply(1, "Prazo de entrega", ("entrega", "frete grátis"),
          "O pedido chega em até 5 dias úteis.", uses=4, recency=10),
    reply(2, "Reembolso", ("devolução", "dinheiro de volta"),
          "Não se preocupe: o reembolso cai em 7 dias.", uses=9, recency=20),
    reply(3, "Pagamento por boleto", ("boleto", "segunda via"),
          "O pagamento por boleto compensa em até 2 dias.", uses=1, recency=30),
    reply(4, "Cão de guarda", (), "", uses=0, recency=40),
]


def both(items: list[Searchable], query: str, **page: int) -> list[int]:
    """The index's answer, after checking that the reference gives the same."""
    found = ReplyIndex(items).search(query, **page)
    assert found == naive_search(items, query, **page)
    return found


@pytest.mark.parametrize("query", ["nao", "NAO", "não", "NÃO", "Nao!"])
def test_case_and_accents_never_matter(query):
    assert both(DESK, query) == [2]


@pytest.mark.parametrize("query, expected", [
    ("e", [1, 2, 3]), ("en", [1]), ("entr", [1]), ("entreg", [1]), ("boLE", [3]),
    ("ca", [4, 2]), ("cã", [4, 2]), ("CÃ", [4, 2]),
])
def test_a_word_is_found_while_it_is_being_typed(query, expected):
    assert both(DESK, query) == expected


@pytest.mark.parametrize("query, expected", [
    ("entrga", [1]),  # a letter missed
    ("entregga", [1]),  # one too many
    ("entrefa", [1]),  # a wrong one
    ("enterga", [1]),  # two neighbours swapped
    ("pagamneto", [3]),
    ("reenbolso", [2]),
    ("entegra", []),  # r moved two places: two edits, too far
    ("pgamneto", []),  # two edits
])
def test_one_typo_in_a_long_word_is_forgiven(query, expected):
    assert both(DESK, query) == expected


def test_short_words_and_short_terms_get_no_typo_tolerance():
    items = [reply(1, body="cai"), reply(2, body="taxa"), reply(3, body="taxas")]
    assert both(items, "cai") == [1]
    assert both(items, "cao") == []  # one edit from "cai", but three letters
    assert both(items, "taxa") == [2, 3]  # exact beats the prefix of "taxas"
    assert both(items, "taxis") == [3]  # one edit from "taxas"; "taxa" has only four letters


def test_quality_of_each_kind_of_match():
    assert quality("entrega", "entrega") == 3
    assert quality("entr", "entrega") == 2
    assert quality("entrga", "entrega") == 1
    assert quality("entregas", "entrega") == 1
    assert quality("cao", "cai") == 0
    assert quality("entrega", "entr") == 0


def test_title_outranks_keywords_outranks_body():
    items = [reply(1, body="troca"), reply(2, keywords=("troca",)), reply(3, title="troca")]
    assert both(items, "troca") == [3, 2, 1]


def test_exact_outranks_prefix_outranks_typo_in_the_same_field():
    items = [reply(1, title="trocar"), reply(2, title="troca"), reply(3, title="torca")]
    assert both(items, "troca") == [2, 1, 3]


def test_scores_add_up_over_the_terms():
    # 4×2 (title prefix) + 1×3 (body) = 11 beats 2×3 (keywords) + 1×3 (body) = 9.
    items = [reply(1, keywords=("prazo",), body="boleto"),
             reply(2, title="prazos", body="boleto"),
             reply(3, title="prazo")]  # no "boleto": out, however good its title
    assert both(items, "prazo boleto") == [2, 1]


def test_ties_go_to_more_uses_then_more_recent_then_higher_id():
    items = [reply(1, "troca", uses=1, recency=5), reply(2, "troca", uses=3, recency=1),
             reply(3, "troca", uses=1, recency=9), reply(4, "troca", uses=1, recency=5)]
    assert both(items, "troca") == [2, 3, 4, 1]


def test_every_term_must_match():
    assert both(DESK, "boleto dias") == [3]
    assert both(DESK, "boleto entrega") == []
    assert both(DESK, "dias") == [2, 1, 3]


def test_replies_with_equal_totals_made_up_differently_are_all_found():
    items = [reply(1, "boleto", body="pix"), reply(2, "pix", body="boleto"),
             reply(3, "boleto", ("pix",)), reply(4, "boleto pix")]
    assert both(items, "boleto pix") == [4, 3, 2, 1]  # 24, then 18, then 15 twice


def test_repeated_terms_count_once():
    items = [reply(1, title="boleto"), reply(2, keywords=("boleto", "pix"), uses=5)]
    assert both(items, "boleto boleto BOLETO") == both(items, "boleto") == [1, 2]


@pytest.mark.parametrize("query", ["", "   ", "?!", "—"])
def test_an_empty_query_lists_the_most_used(query):
    assert both(DESK, query) == [2, 1, 3, 4]
    assert ReplyIndex(DESK).most_used(limit=2, offset=1) == [1, 3]


def test_paging_with_offset_and_limit():
    items = [reply(i, "troca", uses=i) for i in range(1, 8)]
    whole = both(items, "tro", limit=50)
    assert whole == [7, 6, 5, 4, 3, 2, 1]
    assert both(items, "tro", limit=3) == [7, 6, 5]
    assert both(items, "tro", limit=3, offset=3) == [4, 3, 2]
    assert both(items, "tro", limit=3, offset=6) == [1]
    assert both(items, "tro", limit=3, offset=7) == []
    assert both(items, "tro", limit=0) == []
    with pytest.raises(ValueError):
        ReplyIndex(items).search("tro", offset=-1)
    with pytest.raises(ValueError):
        naive_search(items, "tro", limit=-1)


def test_put_replaces_a_reply_and_forgets_its_old_words():
    index = ReplyIndex(DESK)
    vocabulary = index.vocabulary_size
    assert index.search("boleto") == [3]
    index.put(reply(3, "Pix na hora", ("pix",), "Pague com pix."))
    assert len(index) == 4
    assert index.search("boleto") == []
    assert index.search("segunda") == []
    assert index.search("pix") == [3]
    assert index.vocabulary_size < vocabulary


def test_remove_forgets_a_reply_and_ignores_an_unknown_id():
    index = ReplyIndex(DESK)
    index.remove(2)
    index.remove(99)
    assert 2 not in index and 1 in index and len(index) == 3
    assert index.search("reembolso") == []
    assert index.search("nao") == []
    assert index.search("") == index.most_used() == [1, 3, 4]


def test_a_word_coming_and_going_updates_the_prefixes_already_searched():
    index = ReplyIndex(DESK)
    assert index.search("entu") == []
    index.put(reply(9, "Entulho"))
    assert index.search("entu") == [9]
    index.remove(9)
    assert index.search("entu") == []
    assert index.search("entulo") == []  # and its typo neighbours are gone too


def test_used_reorders_ties_and_the_most_used():
    index = ReplyIndex([reply(1, "troca"), reply(2, "troca")])
    assert index.search("troca") == index.most_used() == [2, 1]
    index.used(1, 3)
    assert index.search("troca") == index.most_used() == [1, 2]
    index.used(2, 3, recency=7.0)
    assert index.search("troca") == [2, 1]
    index.used(99, 5)  # an unknown id is ignored
    assert len(index) == 2


# ----- properties -------------------------------------------------------------------------

def osa_distance(a: str, b: str) -> int:
    """Edit distance counting swaps of neighbours as one edit (the textbook table)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text("abc", max_size=6), st.text("abc", max_size=6))
def test_one_edit_apart_is_edit_distance_one(a, b):
    assert one_edit_apart(a, b) == (osa_distance(a, b) == 1)


WORDS = ["entrega", "entregas", "entregar", "entrgea", "pedido", "pedidos", "reembolso",
         "boleto", "boletos", "cartão", "cartao", "prazo", "prazos", "praso", "troca", "trocar",
         "torca", "devolução", "não", "nao", "cai", "cão", "são", "e", "é", "a", "de",
         "pagamento", "pagamneto", "pago", "pix", "frete", "fretes", "grátis"]
TEXT = st.lists(st.sampled_from(WORDS).map(lambda w: w.upper() if len(w) % 3 == 0 else w),
                max_size=5).map(" ".join)
ITEM = st.builds(Searchable, id=st.integers(1, 10), title=TEXT,
                 keywords=st.lists(TEXT, max_size=3).map(tuple), body=TEXT,
                 uses=st.integers(0, 2), recency=st.sampled_from([0.0, 1.0, 2.5]))


@st.composite
def queries(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(WORDS))
    kind = draw(st.sampled_from(["word", "prefix", "typo", "two", "two", "noise"]))
    if kind == "prefix":
        return word[:draw(st.integers(1, len(word)))]
    if kind == "typo":
        i = draw(st.integers(0, len(word) - 1))
        letter = draw(st.sampled_from("aeost"))
        return draw(st.sampled_from([word[:i] + word[i + 1:], word[:i] + letter + word[i:],
                                     word[:i] + letter + word[i + 1:],
                                     word[:i] + word[i + 1:i + 2] + word[i] + word[i + 2:]]))
    if kind == "two":
        other = draw(st.sampled_from(WORDS))
        return f"{word} {other[:draw(st.integers(1, len(other)))]}"
    if kind == "noise":
        return draw(st.text("aeãéiostr -", max_size=8))
    return word.upper() if draw(st.booleans()) else word


OPERATION = st.one_of(
    st.tuples(st.just("put"), ITEM),
    st.tuples(st.just("remove"), st.integers(1, 10)),
    st.tuples(st.just("used"), st.integers(1, 10), st.integers(0, 3),
              st.none() | st.sampled_from([0.0, 3.0])),
    st.tuples(st.just("search"), queries()),
)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(start=st.lists(ITEM, max_size=8), operations=st.lists(OPERATION, max_size=12),
       final=st.lists(queries(), max_size=4), limit=st.integers(0, 6),
       offset=st.integers(0, 3))
def test_the_index_answers_as_the_reference_does(start, operations, final, limit, offset):
    model = {item.id: item for item in start}  # the last one of an id wins, as with put
    index = ReplyIndex(start)
    for operation in operations:
        if operation[0] == "put":
            index.put(operation[1])
            model[operation[1].id] = operation[1]
        elif operation[0] == "remove":
            index.remove(operation[1])
            model.pop(operation[1], None)
        elif operation[0] == "used":
            _, reply_id, uses, recency = operation
            index.used(reply_id, uses, recency)
            if reply_id in model:
                old = model[reply_id]
                model[reply_id] = Searchable(old.id, old.title, old.keywords, old.body, uses,
                                             old.recency if recency is None else recency)
        else:  # searching between changes exercises the caches that changes must update
            assert index.search(operation[1]) == naive_search(list(model.values()),
                                                              operation[1])
    items = list(model.values())
    assert len(index) == len(items)
    assert all(reply_id in index for reply_id in model)
    assert index.most_used(limit=limit, offset=offset) == naive_search(
        items, "", limit=limit, offset=offset)
    for query in final:
        assert index.search(query, limit=limit, offset=offset) == naive_search(
            items, query, limit=limit, offset=offset)
        assert index.search(query) == naive_search(items, query)
    # Removed words leave no trace: the same replies indexed afresh give the same structures.
    fresh = ReplyIndex(items)
    assert index.vocabulary_size == fresh.vocabulary_size
    assert index._postings == fresh._postings
    assert index._neighbours == fresh._neighbours


FEW = ["troca", "trocar", "torca", "pix", "pago", "pagamento", "e"]
FEW_TEXT = st.lists(st.sampled_from(FEW), max_size=3).map(" ".join)
FEW_ITEMS = st.lists(st.builds(Searchable, id=st.integers(1, 30), title=FEW_TEXT,
                               keywords=st.lists(FEW_TEXT, max_size=2).map(tuple),
                               body=FEW_TEXT, uses=st.integers(0, 1)), max_size=20)
FEW_TERMS = st.lists(st.sampled_from(FEW).flatmap(
    lambda w: st.integers(1, len(w)).map(lambda n: w[:n])), min_size=2, max_size=3)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(items=FEW_ITEMS, terms=FEW_TERMS, limit=st.integers(1, 8))
def test_many_terms_over_few_words_rank_as_the_reference_does(items, terms, limit):
    # Few words make many replies match with equal totals reached in different ways.
    items = list({item.id: item for item in items}.values())
    query = " ".join(terms)
    assert ReplyIndex(items).search(query, limit=limit) == naive_search(items, query,
                                                                         limit=limit)
