"""The FAQ's shared vocabulary (Answer, Match, stop and complaint words) and the desk's first
matcher, FaqMatcher: which ready answer fits a client's message by shared topic words, an
automatic answer at AUTO_THRESHOLD or above. It is no longer the desk's (domain.faq_ranked is,
measured better on messages nobody tuned for); `atendimento bench faq` keeps it as the
baseline, "tuned (before)"."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from atendimento.domain.words import fold, words, words_as_written

# Calibrated on tests/fixtures/faq (63 answers, 143 paraphrases, 55 near misses): halfway between
# the lowest paraphrase (0.598) and the highest near miss (0.551). Below SUGGEST_THRESHOLD the
# best answer is mostly a coincidence of one or two common words.
AUTO_THRESHOLD = 0.575
SUGGEST_THRESHOLD = 0.35


@dataclass(frozen=True)
class Answer:
    id: int
    language: str
    question: str
    keywords: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class Match:
    """`score` is the confidence in `answer_id`, already lowered when another answer fits
    almost as well; `runner_up` is how well that second answer fits (0 if none does);
    `matched`, the message's words (folded, as written) that the answer holds: what the team
    reads to see why, and to improve the keywords."""

    answer_id: int
    score: float
    runner_up: float
    matched: tuple[str, ...] = field(default=(), compare=False)  # as written: not the fit


# Words that say nothing about the topic, in the languages the desk ships with, plus the
# greetings, courtesies and abbreviations clients type in chats.
STOP_WORDS = frozenset(
    """
    a o os as um uma uns umas de do da dos das d em no na nos nas num numa nuns numas
    por pelo pela pelos pelas para pra pro pras pros p com c sem sob sobre ate apos entre contra
    desde e ou mas porem pois que q se nao n sim ja ainda tambem tb tbm so muito muita muitos
    muitas mais menos bem mal como cmo qual quais porque pq eu tu ele ela nos vos eles elas
    voce voces vc vcs vcis ce me mim te ti lhe lhes comigo contigo meu minha meus minhas seu
    sua seus suas teu tua nosso nossa nossos nossas dele dela deles delas isso isto esse essa
    esses essas este esta estes estas aquele aquela aquilo aqui ai la ali ca algum alguma
    alguns algumas alguem nenhum nenhuma outro outra outros outras mesmo mesma todo toda todos
    todas tudo td tds nada coisa coisas dois duas tres
    ser sou eh era foi fui sao seja sejam fosse estar estou estao estava estavam estive estiver
    estiverem estivesse estamos ficar fica ficam ficou ficaram ter tenho tem tinha tive teve
    temos tenha tiver tivesse haver ha houve houver haja fazer faco faz fiz feito fez fazem
    poder pode posso podem poderia consigo consegue conseguir conseguem dar da dou deu ir vou
    vai vao vamos querer quero queria quer queremos gostaria preciso precisa precisava precisar
    saber sei sabe ver vejo acho achar dizer diz devo deve dever possivel certo certa
    oi ola opa oie eai bom boa bons boas dia tarde noite beleza blz obrigado obrigada obg
    brigado brigada vlw valeu ok okay favor pfv pf pfvr gentileza grato grata moco moca
    senhor senhora sr sra amigo amiga gente ne entao tipo assim agora hoje ontem amanha
    depois antes sempre nunca semana passada passado kk kkk kkkk haha rs ta tah to tava
    the an and or of to in on at for from with by is are was were be been am do does did
    have has had i you he she it we they my your his her its our their this that these those
    what which who how why can could would should will may must not no yes hi hello hey
    thanks thank please pls there here just also so very about
    el la los las lo un una unos unas del al y u por para con sin cual cuales hola gracias
    buenos buenas tardes noches mi mis tu tus su sus es son esta estoy estan tengo tiene
    tienen hay puedo puede quiero quisiera necesito yo usted ustedes nosotros pero muy mas ya si
    """.split()
)

# Question words, durations and light verbs say what kind of answer is wanted ("quanto" → a
# price or a time, "onde" → a place) but not about what, so they weigh less than topic words.
WEAK_WORDS = frozenset(
    """
    quanto quanta quantos quantas quando onde tempo demora demoram demorar demorou leva levam
    levar pegar pego pega peguei usar uso usei colocar coloco coloquei mandar mando mandei
    manda when where cuando donde cuanto cuanta cuantos cuantas
    """.split()
)

# An angry client needs a person, even when the words match a ready answer.
COMPLAINT_WORDS = frozenset(
    """
    absurdo absurda horrivel pessimo pessima ridiculo ridicula vergonha palhacada piada
    procon reclame reclameaqui reclamar reclamacao processar advogado justica lixo descaso
    desrespeito inaceitavel incompetente incompetentes incompetencia enganado enganada
    furioso furiosa raiva nojo porra merda caralho idiota idiotas
    terrible awful ridiculous disgusting lawyer sue pesimo pesima verguenza abogado denuncia
    """.split()
)

# Chat abbreviations of words that matter.
_ABBREVIATIONS = MappingProxyType({
    "qnts": "quantos", "qts": "quantos", "qntos": "quantos", "qto": "quanto", "qnto": "quanto",
    "qdo": "quando", "qnd": "quando", "qndo": "quando", "msg": "mensagem",
})
# Spellings that words() would split or that clients vary, brought to one form first.
_SPELLINGS = ((re.compile(r"\be[\s-]?mails?\b"), "email"),)
# A ready answer's body holds placeholders and link targets that are not its topic.
_NOT_TOPIC = re.compile(r"\{\w+\}|\]\([^)]*\)")

# Words that folding and stripping would join to an unrelated word (calça/calçado,
# vestido/veste).
_STEM_EXCEPTIONS = MappingProxyType(
    {"calca": "calca", "calcas": "calca", "vestido": "vestido", "vestidos": "vestido"}
)
# "qu"/"gu" before e or i sound like c/g, so "troquei" and "paguei" meet "troca" and "pagar".
_SOFT = re.compile(r"([qg])u(?=[ei])")
_PLURALS: tuple[tuple[str, str], ...] = (
    ("oes", "ao"), ("aes", "ao"), ("ais", "al"), ("eis", "el"), ("ns", "m"),
    ("res", "r"), ("zes", "z"), ("ses", "s"), ("s", ""),
)
# Longest first: one derivation or verb ending is removed, so "cancelamento", "cancelei",
# "cancelado" and "cancelar" all become "cancel"; "ucao" → "v" joins devolução/devolver.
# Participles keep four letters, or "medida" would meet "medo" and "pedido" meet "pedi".
_ENDINGS: tuple[tuple[str, str, int], ...] = tuple(
    sorted(
        [(e, "", 3) for e in (
            "amento imento mente acao icao cao idade "
            "ariam eriam iriam assem essem issem aram eram iram avam ando endo indo "
            "aria eria iria ava ar er ir ei ou eu iu am em o a e i"
        ).split()]
        + [(e, "", 4) for e in "ado ada ido ida".split()]
        + [("ucao", "v", 3)],
        key=lambda ending: -len(ending[0]),
    )
)
_MIN_STEM = 3

# The weights below were tuned together on tests/fixtures/faq; each says what it protects.
_WEAK_FACTOR = 0.5
# A word no answer uses is usually a city, a colour or a product ("vestido azul"), sometimes
# the real topic ("metade no pix"): it weighs a quarter of a word that one answer alone uses.
_UNKNOWN_WEIGHT = 0.25
_BODY_WEIGHT = 0.3
_TYPO_WEIGHT = 0.8
_TYPO_MIN_LENGTH = 5
# A phrase of common words ("pix") is weak evidence even when matched whole: it counts fully
# only if it is about as specific as a word that a single answer has as a topic.
_PHRASE_MIN_WEIGHT = 0.85
# Fit = share of the message explained × (phrase completeness) ** _PHRASE_POWER, so scattered
# words ("previsão do tempo" against "previsão de entrega", "quanto tempo") fit less.
_PHRASE_POWER = 2.0
# Higher → a close runner-up costs less confidence: at 12, a runner-up at 80% of the best fit
# costs 7%, at 95% it costs 54%.
_MARGIN_POWER = 12.0
# Confidence lost per share of the message that belongs to a second topic.
_SECOND_TOPIC_COST = 2.0
# Where a message of one content word (a topic, not a question: "cancelar", "frete") or an
# angry message is capped: a suggestion at most.
_BELOW_AUTO = (AUTO_THRESHOLD + SUGGEST_THRESHOLD) / 2


def stem(word: str) -> str:
    """A crude Portuguese stem of a folded word: enough to join plural, gender and verb forms."""
    if len(word) <= _MIN_STEM or not word.isalpha():
        return word
    if word in _STEM_EXCEPTIONS:
        return _STEM_EXCEPTIONS[word]
    word = _SOFT.sub(lambda m: "c" if m.group(1) == "q" else "g", word)
    for ending, replacement in _PLURALS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            word = word[: -len(ending)] + replacement
            break
    for ending, replacement, keep in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= keep:
            word = word[: -len(ending)] + replacement
            break
    while len(word) > _MIN_STEM + 1 and word[-1] in "aeio":
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The stems of the content words of `text`, in order; numbers are never content."""
    folded = fold(text)
    for pattern, replacement in _SPELLINGS:
        folded = pattern.sub(replacement, folded)
    return [
        stem(_ABBREVIATIONS.get(word, word)) for word in words(folded)
        if word not in STOP_WORDS and not any(c.isdigit() for c in word)
    ]


_WEAK_STEMS = frozenset(stem(word) for word in WEAK_WORDS)


def _deletions(term: str) -> set[str]:
    return {term[:i] + term[i + 1:] for i in range(len(term))} | {term}


@dataclass(frozen=True)
class _Phrase:
    """A title or keyword of an answer, as stems, and how much a full match of it proves."""

    terms: frozenset[str]
    weight: float
    specific: bool


@dataclass(frozen=True)
class _Fit:
    position: int
    fit: float
    runner_up: float
    second_topic: float
    ranking: tuple[int, ...]  # positions, best first


class _Index:
    """The answers of one language, with everything a lookup needs computed once."""

    def __init__(self, answers: Sequence[Answer]) -> None:
        self.ids = tuple(answer.id for answer in answers)
        owns: list[dict[str, float]] = []
        all_phrases: list[list[frozenset[str]]] = []
        for answer in answers:
            phrases = [frozenset(terms(t)) for t in (answer.question, *answer.keywords)]
            phrases = [phrase for phrase in phrases if phrase]
            own = {t: _BODY_WEIGHT for t in terms(_NOT_TOPIC.sub(" ", answer.body))}
            own.update({t: 1.0 for phrase in phrases for t in phrase})
            owns.append(own)
            all_phrases.append(phrases)

        count = len(answers)
        frequency: dict[str, int] = {}
        topic_frequency: dict[str, int] = {}
        for own in owns:
            for term, share in own.items():
                frequency[term] = frequency.get(term, 0) + 1
                if share == 1.0:
                    topic_frequency[term] = topic_frequency.get(term, 0) + 1

        def idf(term: str, df: int) -> float:
            return math.log(1 + count / df) * (_WEAK_FACTOR if term in _WEAK_STEMS else 1.0)

        rarest = math.log(1 + count)
        self.unknown_weight = _UNKNOWN_WEIGHT * rarest
        # What a word tells in a message: the rarer in all the answers' text, the more. A word
        # only bodies use is no topic here, so it weighs no more than an unknown word.
        self.weight = {
            term: idf(term, df) if term in topic_frequency
            else min(idf(term, df), self.unknown_weight)
            for term, df in frequency.items()
        }
        # How specific a word is as a topic: bodies mention "pix" or "rastreio" in passing.
        topic_weight = {term: idf(term, df) for term, df in topic_frequency.items()}
        self.topic_weight = topic_weight

        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.owned = [frozenset(own) for own in owns]
        for position, own in enumerate(owns):
            for term, share in own.items():
                self.postings.setdefault(term, []).append((position, share))
        floor = _PHRASE_MIN_WEIGHT * rarest
        self.phrases = [
            tuple(
                _Phrase(phrase, max(total, floor), total >= floor)
                for phrase in phrases
                for total in [sum(topic_weight[t] for t in phrase)]
            )
            for phrases in all_phrases
        ]
        self.vocabulary = [frozenset().union(*phrases) for phrases in all_phrases]

        # Typo tolerance: two words within one edit share a deletion variant.
        self.variants: dict[str, list[str]] = {}
        for term in sorted(frequency, key=lambda t: (-frequency[t], t)):
            if len(term) >= _TYPO_MIN_LENGTH:
                for variant in _deletions(term):
                    self.variants.setdefault(variant, []).append(term)

    def resolve(self, term: str) -> tuple[str, float]:
        """The known term `term` stands for and how much to trust it (0 if unknown)."""
        if term in self.weight:
            return term, 1.0
        if len(term) >= _TYPO_MIN_LENGTH:
            for variant in sorted(_deletions(term)):
                # People rarely mistype the first letter; "retorno" is not "estorno".
                for known in self.variants.get(variant, ()):
                    if known[0] == term[0]:
                        return known, _TYPO_WEIGHT
        return term, 0.0

    def fit(self, message: Iterable[str]) -> _Fit | None:
        """The best answer for the message's terms, or None if no answer shares one."""
        known: dict[str, float] = {}
        unknown = 0.0
        for term in message:
            resolved, trust = self.resolve(term)
            if trust:
                known[resolved] = max(trust, known.get(resolved, 0.0))
            elif len(term) > 2:  # "sp", "bh", "m": places and sizes, not topics
                unknown += self.unknown_weight
        if not known:
            return None
        total = sum(self.weight[t] for t in known) + unknown
        covered: dict[int, float] = {}
        for term, trust in known.items():
            for position, share in self.postings[term]:
                covered[position] = covered.get(position, 0.0) + self.weight[term] * share * trust
        fits = []
        for position, amount in covered.items():
            whole = max(
                sum(self.topic_weight[t] * known[t] for t in phrase.terms if t in known)
                / phrase.weight
                for phrase in self.phrases[position]
            )
            fits.append((amount / total * whole**_PHRASE_POWER, position))
        fits.sort(key=lambda fit: (-fit[0], self.ids[fit[1]]))
        best, position = fits[0]
        runner_up = fits[1][0] if len(fits) > 1 else 0.0

        # A second topic: another answer's whole phrase of two or more words, specific enough
        # to count fully, is in the message with a topic word the best answer does not know.
        mine = self.vocabulary[position]
        second = 0.0
        for _, other in fits[1:]:
            for phrase in self.phrases[other]:
                foreign = phrase.terms - mine - _WEAK_STEMS
                if foreign and len(phrase.terms) > 1 and phrase.specific and (
                    phrase.terms <= known.keys()
                ):
                    second = max(second, sum(self.weight[t] * known[t] for t in foreign))
        return _Fit(position, best, runner_up, second / total,
                    tuple(position for _, position in fits))


def _matched(index: _Index, position: int, text: str) -> tuple[str, ...]:
    """The words of `text` (as written) whose terms the answer at `position` holds, once
    each, in order."""
    owned, found = index.owned[position], []
    for written, word in words_as_written(text):
        if word in STOP_WORDS or any(c.isdigit() for c in word):
            continue
        term, trust = index.resolve(stem(_ABBREVIATIONS.get(word, word)))
        if trust and term in owned and written not in found:
            found.append(written)
    return tuple(found)


class FaqMatcher:
    """Finds the ready answer that fits a message, by the topic words both share.

    Each answer is indexed by the stems of its title and keywords (its body counts for
    little): stop words dropped, accents folded, Portuguese endings stripped so that forms of
    one word meet, and one-letter typos mapped to a known stem. A message's fit to an answer is
    the share of the message's information (IDF-weighted over that language's answers, words
    no answer knows counting little) that the answer covers, times how completely the message
    holds one of the answer's phrases (its title or a keyword), squared. The confidence is that
    fit, lowered when a runner-up comes close and when the message also holds another answer's
    phrase (two topics at once): an ambiguous message must go to a person. A message of one
    content word, or with words of anger, never reaches AUTO_THRESHOLD.
    """

    def __init__(self, answers: Iterable[Answer]) -> None:
        by_language: dict[str, list[Answer]] = {}
        for answer in answers:
            by_language.setdefault(answer.language, []).append(answer)
        self._indexes = {lang: _Index(group) for lang, group in by_language.items()}

    def best(self, text: str, language: str) -> Match | None:
        index = self._indexes.get(language)
        message = set(terms(text))
        if index is None or not message:
            return None
        fit = index.fit(message)
        if fit is None or fit.fit <= 0:
            return None
        confidence = fit.fit * (1 - (fit.runner_up / fit.fit) ** _MARGIN_POWER)
        confidence *= max(0.0, 1 - _SECOND_TOPIC_COST * fit.second_topic)
        if len(message) < 2 or not COMPLAINT_WORDS.isdisjoint(words(text)):
            confidence = min(confidence, _BELOW_AUTO)
        return Match(index.ids[fit.position], round(confidence, 4), round(fit.runner_up, 4),
                     _matched(index, fit.position, text))

    def ranked(self, text: str, language: str, count: int) -> list[int]:
        """The ids of the `count` answers that fit the message best, best first."""
        index = self._indexes.get(language)
        message = set(terms(text))
        fit = index.fit(message) if index is not None and message else None
        return [] if fit is None else [index.ids[p] for p in fit.ranking[:count]]
