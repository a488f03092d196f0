"""The FAQ evaluation sets (tests/fixtures/faq/eval/<base>/): each a knowledge base of ready
answers (`<lang>/prontas/*.md`, as a desk's texts folder holds them) and `messages.tsv`, client
messages with the answer that is right for each (`slug`, `a|b` when either is, `-` when none
may be sent by itself) and their kind (style, or why no answer fits).

Each message belongs to the tuning part or the held-out part by a hash of its text, so that
the split is fixed without a column anyone could edit to taste: thresholds and weights are
chosen on tuning only, and the figures that count are the held-out ones."""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from pathlib import Path

from atendimento.domain.faq import Answer
from atendimento.ready import load_ready

DATA = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "faq" / "eval"
HEADER = ["message", "expected", "kind"]
NONE = "-"
NO_ANSWER_KINDS = frozenset({"near-miss", "small-talk", "needs-person", "out-of-scope"})
TUNING, HELD_OUT = "tuning", "held-out"
TUNING_SHARE = 40  # percent of each base's messages


class EvalDataError(Exception):
    """An evaluation set that cannot be read as such (the message says where)."""


@dataclass(frozen=True)
class Case:
    text: str
    expected: frozenset[int]  # answer ids; empty when no answer may be sent by itself
    kind: str

    @property
    def answerable(self) -> bool:
        return bool(self.expected)

    @property
    def part(self) -> str:
        return part_of(self.text)


@dataclass(frozen=True)
class Base:
    name: str
    language: str
    answers: tuple[Answer, ...]
    cases: tuple[Case, ...]

    def part(self, name: str) -> list[Case]:
        return [case for case in self.cases if case.part == name]


def part_of(text: str) -> str:
    return TUNING if zlib.crc32(text.encode()) % 100 < TUNING_SHARE else HELD_OUT


def load_base(folder: Path) -> Base:
    ready, problems = load_ready(folder)
    if problems:
        raise EvalDataError(f"{folder}: {problems[0]}")
    languages = {r.language for r in ready}
    if len(languages) != 1:
        raise EvalDataError(f"{folder}: expected one language folder, found {sorted(languages)}")
    answers, ids = [], {}
    for number, ready_answer in enumerate(ready, start=1):
        slug = Path(ready_answer.path).stem
        ids[slug] = number
        answers.append(Answer(number, ready_answer.language, ready_answer.title,
                              ready_answer.keywords, ready_answer.body))
    return Base(folder.name, languages.pop(), tuple(answers),
                tuple(_cases(folder / "messages.tsv", ids)))


def _cases(path: Path, ids: dict[str, int]) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != HEADER:
        raise EvalDataError(f"{path}: the first line must be {' / '.join(HEADER)}")
    cases = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(HEADER):
            raise EvalDataError(f"{path}:{line}: {len(row)} columns, expected {len(HEADER)}")
        text, expected, kind = (cell.strip() for cell in row)
        slugs = [] if expected == NONE else expected.split("|")
        unknown = [s for s in slugs if s not in ids]
        if unknown:
            raise EvalDataError(f"{path}:{line}: no answer {unknown[0]!r}")
        if not slugs and kind not in NO_ANSWER_KINDS:
            raise EvalDataError(f"{path}:{line}: kind {kind!r} with no answer")
        cases.append(Case(text, frozenset(ids[s] for s in slugs), kind))
    return cases


def load_all(root: Path = DATA) -> list[Base]:
    if not root.is_dir():
        raise EvalDataError(f"{root}: no evaluation sets here (run from a clone of the "
                            "repository, or pass --data)")
    return [load_base(folder) for folder in sorted(root.iterdir())
            if (folder / "messages.tsv").is_file()]
