"""`atendimento import-faq FILE.csv`: a company's FAQ spreadsheet turned into ready answers,
one `respostas/<lang>/prontas/<slug>.md` file per row (the files stay the source of truth).

The CSV needs a header with a question and an answer column (Portuguese, English or Spanish
names); keywords and title columns are optional. Separators `,` `;` and tab are recognised,
as are UTF-8 (with or without BOM) and the Windows encoding spreadsheets often save in.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from atendimento.domain.words import fold
from atendimento.ready import READY_FOLDER, parse_ready

QUESTION = ("pergunta", "question", "pregunta", "titulo", "title")
ANSWER = ("resposta", "answer", "respuesta")
KEYWORDS = ("palavras-chave", "palavras chave", "keywords", "palabras clave", "tags")
SLUG_LENGTH = 60


@dataclass
class Imported:
    written: list[Path] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


class FaqFileError(Exception):
    """The file cannot be imported at all (unreadable, no header)."""


def slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", fold(text))
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > SLUG_LENGTH:
            break
        out = f"{out}-{word}" if out else word
    return out or "resposta"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normal = [fold(h).strip().replace("_", " ").replace("-", " ") for h in header]
    for name in names:
        key = fold(name).replace("-", " ")
        if key in normal:
            return normal.index(key)
    return None


def read_rows(path: Path) -> list[tuple[int, str, str, str]]:
    """(line, question, answer, keywords) for every row with something in it."""
    try:
        text = _decode(path.read_bytes())
    except OSError as error:
        raise FaqFileError(f"cannot read {path}: {error.strerror}") from None
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise FaqFileError(f"{path} is empty") from None
    question, answer = _column(header, QUESTION), _column(header, ANSWER)
    if question is None or answer is None:
        raise FaqFileError(
            f"{path}:1: the first line must name the columns: a question column ("
            + ", ".join(QUESTION) + ") and an answer column (" + ", ".join(ANSWER) + ")")
    keywords = _column(header, KEYWORDS)
    rows = []
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue

        def cell(index: int | None, cells: list[str] = cells) -> str:
            return cells[index] if index is not None and index < len(cells) else ""
        rows.append((line, cell(question), cell(answer), cell(keywords)))
    return rows


def import_faq(csv_path: Path, texts_dir: Path, language: str) -> Imported:
    """Write one ready answer per row; rows with problems are reported and skipped."""
    rows = read_rows(csv_path)
    folder = texts_dir / language / READY_FOLDER
    result = Imported()
    used: set[str] = set()
    for line, question, answer, keywords in rows:
        where = f"{csv_path}:{line}"
        if not question or not answer:
            result.problems.append(f"{where}: the row needs both a question and an answer")
            continue
        title = " ".join(question.split())
        keyword_line = ", ".join(k.strip() for k in re.split(r"[,;]", keywords) if k.strip())
        text = f"---\ntitle: {title}\nkeywords: {keyword_line}\n---\n{answer.strip()}\n"
        name = slug(title)
        stem, n = name, 2
        while name in used:
            name, n = f"{stem}-{n}", n + 1
        used.add(name)
        relative = f"{language}/{READY_FOLDER}/{name}.md"
        parsed, problems = parse_ready(text, where, relative, language)
        if parsed is None:
            # Problems are located in the generated file; say which row they come from.
            result.problems += [f"{where}: {p.message.format(**dict(p.params))}"
                                for p in problems]
            continue
        target = folder / f"{name}.md"
        before = target.read_text(encoding="utf-8") if target.is_file() else None
        if before == text:
            result.unchanged += 1
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result.written.append(target)
        if before is None:
            result.new += 1
        else:
            result.updated += 1
    return result
