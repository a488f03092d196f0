"""A message's words as the FAQ compares them: accents folded, chat abbreviations spelled out,
words that carry no topic dropped, each word reduced to its Snowball stem for the answer's
language (snowballstemmer), so that "cancelei", "cancelamento" and "cancelar" meet."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from types import MappingProxyType

import snowballstemmer

from atendimento.domain.faq import STOP_WORDS
from atendimento.domain.words import fold, words

SNOWBALL = MappingProxyType({"pt": "portuguese", "es": "spanish", "en": "english",
                             "it": "italian", "ru": "russian"})

# What clients type for words that matter, in the desk's languages.
ABBREVIATIONS = MappingProxyType({
    "qnts": "quantos", "qts": "quantos", "qntos": "quantos", "qto": "quanto", "qnto": "quanto",
    "qdo": "quando", "qnd": "quando", "qndo": "quando", "msg": "mensagem", "cel": "celular",
    "hj": "hoje", "mt": "muito", "mto": "muito", "dps": "depois", "vdd": "verdade",
    "add": "adicionar", "info": "informacao", "infos": "informacao", "net": "internet",
    "wifi": "wifi", "wi": "wifi", "zap": "whatsapp", "whats": "whatsapp", "wpp": "whatsapp",
    "xq": "porque", "pq": "porque", "porq": "porque", "tmb": "tambien", "pls": "please",
    "plz": "please", "u": "you", "ur": "your", "thx": "thanks", "acct": "account",
    "pwd": "password", "pw": "password", "sub": "subscription", "subs": "subscription",
    "e-mail": "email", "mail": "email", "emails": "email", "pix": "pix",
})

# Words that say who is asking about their own case: a person must look ("my order", "you
# charged me"). Folded.
PERSONAL = MappingProxyType({
    "pt": frozenset("meu minha meus minhas me mim comprei paguei recebi cobraram cobrou "
                    "mandaram enviaram fiz pedi contratei assinei tentei chegou veio "
                    "estou to tava fui".split()),
    "es": frozenset("mi mis me compre pague recibi cobraron cobro mandaron enviaron hice "
                    "pedi contrate intente llego vino estoy fui".split()),
    "en": frozenset("my me mine i im ive bought paid received charged sent ordered tried "
                    "got was did".split()),
})


def _language(language: str) -> str:
    return language.split("_")[0].split("-")[0].lower()


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Callable[[str], str]:
    algorithm = SNOWBALL.get(_language(language))
    if algorithm is None:
        return lambda word: word
    stemmer = snowballstemmer.stemmer(algorithm)
    return lru_cache(maxsize=65536)(stemmer.stemWord)


def tokens(text: str) -> list[str]:
    """The folded words of `text`, abbreviations spelled out; every word kept."""
    return [fold(ABBREVIATIONS.get(word, word)) for word in words(fold(text))]


def content(tokens_: list[str], language: str) -> list[tuple[str, str]]:
    """(word, stem) of the words that can carry a topic (numbers and stop words left out)."""
    stem = _stemmer(language)
    return [(word, stem(word)) for word in tokens_
            if word not in STOP_WORDS and len(word) > 1 and not any(c.isdigit() for c in word)]


def stems(text: str, language: str) -> list[str]:
    return [stem for _, stem in content(tokens(text), language)]


def personal(tokens_: list[str], language: str) -> int:
    """How many words speak of the client's own case."""
    mine = PERSONAL.get(_language(language), frozenset())
    return sum(word in mine for word in tokens_)
