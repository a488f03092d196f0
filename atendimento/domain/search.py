"""Saved-reply search for inline mode ("@bot terms"): forgiving of case, accents, unfinished words
and one typo in a long word, ranked by where the words were found, then by use."""

from __future__ import annotations

import heapq
import unicodedata
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from operator import attrgetter, itemgetter

from atendimento.domain.words import words

TITLE, KEYWORDS, BODY = 4, 2, 1  # field weights
EXACT, PREFIX, TYPO = 3, 2, 1  # match qualities; a term scores weight × quality at best
TYPO_MIN = 5  # both the term and the word need this many characters to forgive a typo
_FIELDS = ((0, TITLE), (1, KEYWORDS), (2, BODY))  # slot in a posting, weight
_PREFIX_CACHE_SIZE = 2048
_AFTER_ALL = "\U0010ffff"  # a noncharacter, so never inside a word: t + it bounds t's prefixes


@dataclass(frozen=True)
class Searchable:
    """What the search needs of one saved reply; `body` is its text or caption ("" if none)."""

    id: int
    title: str
    keywords: tuple[str, ...]
    body: str
    uses: int = 0
    recency: float = 0.0  # larger is more recent (a timestamp); the last tie-breaker but the id


_popularity = attrgetter("uses", "recency", "id")


def one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns a into b."""
    la, lb = len(a), len(b)
    if a == b or abs(la - lb) > 1:
        return False
    i = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        i += 1
    if la == lb:
        return a[i + 1:] == b[i + 1:] or (
            a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:])
    if la < lb:
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i:]


def quality(term: str, word: str) -> int:
    """How well one folded query term matches one folded word: EXACT, PREFIX, TYPO or 0."""
    if word == term:
        return EXACT
    if word.startswith(term):
        return PREFIX
    if len(term) >= TYPO_MIN and len(word) >= TYPO_MIN and one_edit_apart(term, word):
        return TYPO
    return 0


def terms_of(text: str) -> list[str]:
    """The folded words of `text`, and each emoji or other symbol in it (a reply titled
    "🚚 entrega" is found by 🚚; a title of emoji alone can be found at all)."""
    return [*words(text), *(char for char in text if unicodedata.category(char) == "So")]


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order."""
    return list(dict.fromkeys(terms_of(query)))


def _page(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must not be negative (got {limit}, {offset})")


def _by_popularity(items: Iterable[Searchable]) -> list[Searchable]:
    # Ids are unique, so reversing the ascending key is the exact descending order.
    return sorted(items, key=_popularity, reverse=True)


def _fielded_words(item: Searchable) -> Iterator[tuple[int, str]]:
    """(slot, word) for each word of the title, then of the keywords, then of the body."""
    for word in terms_of(item.title):
        yield 0, word
    for phrase in item.keywords:
        for word in terms_of(phrase):
            yield 1, word
    for word in terms_of(item.body):
        yield 2, word


def naive_search(items: Sequence[Searchable], query: str, *, limit: int = 50,
                 offset: int = 0) -> list[int]:
    """The reference: every term against every word of every item, folded afresh each call.

    Items must have distinct ids. `ReplyIndex.search` returns exactly what this returns.
    """
    _page(limit, offset)
    terms = query_terms(query)
    if not terms:
        return [item.id for item in _by_popularity(items)][offset:offset + limit]
    scored: list[tuple[int, Searchable]] = []
    for item in items:
        fields = [(TITLE, terms_of(item.title)),
                  (KEYWORDS, [w for phrase in item.keywords for w in terms_of(phrase)]),
                  (BODY, terms_of(item.body))]
        total = 0
        for term in terms:
            best = max((weight * quality(term, word) for weight, found in fields
                        for word in found), default=0)
            if best == 0:
                break
            total += best
        else:
            scored.append((total, item))
    scored.sort(key=lambda pair: (pair[0], *_popularity(pair[1])), reverse=True)
    return [item.id for _total, item in scored][offset:offset + limit]


def _deletions(word: str) -> set[str]:
    """The word itself and each way of deleting one of its characters."""
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


class ReplyIndex:
    """An in-memory inverted index of saved replies, updated one reply at a time.

    Each vocabulary word maps to three sets of reply ids (title, keywords, body), a reply being
    only in the set of the best field it has the word in, since only the best one can score.
    """

    def __init__(self, items: Iterable[Searchable] = ()) -> None:
        self._items: dict[int, Searchable] = {}
        self._postings: dict[str, tuple[set[int], set[int], set[int]]] = {}
        self._vocabulary: list[str] = []  # sorted, for prefix ranges
        self._neighbours: dict[str, set[str]] = {}  # deletion → long words within one edit of it
        self._prefixes: dict[str, tuple[str, ...]] = {}  # a bounded cache of prefix expansions
        self._order: list[int] | None = None  # ids by popularity; None when stale
        self._rank: dict[int, int] = {}  # id → position in _order
        for item in items:
            self.put(item)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, reply_id: object) -> bool:
        return reply_id in self._items

    @property
    def vocabulary_size(self) -> int:
        """How many distinct folded words the replies have."""
        return len(self._vocabulary)

    # ----- changes ------------------------------------------------------------------------

    def put(self, item: Searchable) -> None:
        """Add a reply, or replace the one with its id."""
        if item.id in self._items:
            self.remove(item.id)
        self._items[item.id] = item
        best: dict[str, int] = {}
        for slot, word in _fielded_words(item):
            if slot < best.get(word, len(_FIELDS)):
                best[word] = slot
        for word, slot in best.items():
            posting = self._postings.get(word)
            if posting is None:
                posting = self._postings[word] = (set(), set(), set())
                self._learn(word)
            posting[slot].add(item.id)
        self._order = None

    def remove(self, reply_id: int) -> None:
        """Forget a reply; nothing happens when there is none with this id."""
        item = self._items.pop(reply_id, None)
        if item is None:
            return
        # Folding the stored reply again takes time in proportion to its size, as the put did,
        # and spares keeping each reply's words.
        for word in {word for _slot, word in _fielded_words(item)}:
            posting = self._postings[word]
            for ids in posting:
                ids.discard(reply_id)
            if not any(posting):
                del self._postings[word]
                self._forget(word)
        self._order = None

    def used(self, reply_id: int, uses: int, recency: float | None = None) -> None:
        """Record new use counters of a reply; nothing happens when there is none with this id."""
        item = self._items.get(reply_id)
        if item is None:
            return
        self._items[reply_id] = replace(
            item, uses=uses, recency=item.recency if recency is None else recency)
        self._order = None

    def _learn(self, word: str) -> None:
        insort(self._vocabulary, word)
        self._drop_prefixes(word)
        if len(word) >= TYPO_MIN:
            for key in _deletions(word):
                self._neighbours.setdefault(key, set()).add(word)

    def _forget(self, word: str) -> None:
        vocabulary = self._vocabulary
        del vocabulary[bisect_left(vocabulary, word)]
        self._drop_prefixes(word)
        if len(word) >= TYPO_MIN:
            for key in _deletions(word):
                near = self._neighbours[key]
                near.discard(word)
                if not near:
                    del self._neighbours[key]

    def _drop_prefixes(self, word: str) -> None:
        # Only the expansions of the word's own prefixes change when it comes or goes.
        for end in range(1, len(word) + 1):
            self._prefixes.pop(word[:end], None)

    # ----- queries ------------------------------------------------------------------------

    def most_used(self, *, limit: int = 50, offset: int = 0) -> list[int]:
        """Reply ids by uses, then recency, then id, all descending."""
        _page(limit, offset)
        return self._popular()[offset:offset + limit]

    def search(self, query: str, *, limit: int = 50, offset: int = 0) -> list[int]:
        """Reply ids matching every term of the query, best first (see `naive_search`)."""
        _page(limit, offset)
        terms = query_terms(query)
        if not terms:
            return self.most_used(limit=limit, offset=offset)
        wanted = offset + limit
        if wanted == 0 or not self._items:
            return []
        tiers = self._tiers(terms[0]) if len(terms) == 1 else self._combined(terms)
        return self._pick(tiers, wanted)[offset:]

    def _popular(self) -> list[int]:
        if self._order is None:
            self._order = [item.id for item in _by_popularity(self._items.values())]
            self._rank = dict(zip(self._order, range(len(self._order)), strict=True))
        return self._order

    def _tiers(self, term: str) -> Iterator[tuple[int, set[int]]]:
        """(score, ids) for the replies the term matches, best score first, each reply once.

        Lazy, so that a one-term search stops at the tier that fills the page.
        """
        levels: dict[int, list[set[int]]] = {}
        for word in self._expand(term):
            self._collect(word, EXACT if word == term else PREFIX, levels)
        if len(term) >= TYPO_MIN:
            for word in self._typos(term):
                self._collect(word, TYPO, levels)
        seen: set[int] = set()
        for level in sorted(levels, reverse=True):
            ids = set().union(*levels[level])
            ids -= seen  # a reply scores its best level only
            if ids:
                seen |= ids
                yield level, ids

    def _combined(self, terms: list[str]) -> list[tuple[int, set[int]]]:
        """(total score, ids) of the replies all terms match, best total first."""
        per_term = []
        for term in terms:
            tiers = list(self._tiers(term))
            if not tiers:
                return []
            per_term.append(tiers)
        per_term.sort(key=lambda tiers: sum(len(ids) for _score, ids in tiers))  # rarest first
        # Totals are few (at most 12 per term), so merging term by term intersects few sets.
        totals: dict[int, set[int]] = dict(per_term[0])
        for tiers in per_term[1:]:
            merged: dict[int, set[int]] = {}
            for total, ids in totals.items():
                for score, more in tiers:
                    both = ids & more
                    if both:
                        key = total + score
                        if key in merged:
                            merged[key] |= both
                        else:
                            merged[key] = both
            if not merged:
                return []
            totals = merged
        return sorted(totals.items(), key=itemgetter(0), reverse=True)

    def _pick(self, tiers: Iterable[tuple[int, set[int]]], wanted: int) -> list[int]:
        """The first `wanted` ids of the tiers, each tier in popularity order."""
        order = self._popular()
        rank = self._rank.__getitem__
        picked: list[int] = []
        for _score, ids in tiers:
            need = wanted - len(picked)
            if len(ids) <= need:
                picked.extend(sorted(ids, key=rank))
            elif len(ids) * len(ids) > need * len(order):
                # A dense tier: walking the popularity order meets `need` of it soon.
                picked.extend(islice(filter(ids.__contains__, order), need))
            else:
                picked.extend(heapq.nsmallest(need, ids, key=rank))
            if len(picked) >= wanted:
                break
        return picked

    def _collect(self, word: str, grade: int, levels: dict[int, list[set[int]]]) -> None:
        posting = self._postings[word]
        for slot, weight in _FIELDS:
            if posting[slot]:
                levels.setdefault(weight * grade, []).append(posting[slot])

    def _expand(self, prefix: str) -> tuple[str, ...]:
        """The vocabulary words that start with `prefix` (itself included)."""
        cached = self._prefixes.get(prefix)
        if cached is None:
            vocabulary = self._vocabulary
            low = bisect_left(vocabulary, prefix)
            high = bisect_left(vocabulary, prefix + _AFTER_ALL, low)
            cached = tuple(vocabulary[low:high])
            if len(self._prefixes) >= _PREFIX_CACHE_SIZE:
                del self._prefixes[next(iter(self._prefixes))]  # the oldest entry
            self._prefixes[prefix] = cached
        return cached

    def _typos(self, term: str) -> set[str]:
        """The long vocabulary words one edit from `term` that do not already start with it."""
        near: set[str] = set()
        for key in _deletions(term):
            near.update(self._neighbours.get(key, ()))
        return {word for word in near
                if not word.startswith(term) and one_edit_apart(term, word)}
