"""`atendimento faq suggest-keywords` and `atendimento faq forget`: what FAQ_LEARN recorded,
turned into keywords for each saved reply (the figures say what they would change), or
forgotten. `--write` adds the proposed keywords to the ready answers' files (a running desk
reads them within seconds); replies saved with /resposta get theirs through /respostas."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from atendimento.domain.faq import Answer
from atendimento.domain.faq_keywords import Proposal, propose, with_effect
from atendimento.domain.faq_ranked import AUTO_THRESHOLD
from atendimento.storage import faq_learned
from atendimento.storage import replies as reply_rows
from atendimento.storage.records import SavedReply
from atendimento.storage.runner import Storage
from atendimento.storage.tables import Tables

_KEYWORDS_LINE = re.compile(r"^keywords\s*:(.*)$")


@dataclass(frozen=True)
class Learned:
    replies: list[SavedReply]
    pairs: list[tuple[int, str]]


def _read(t: Tables) -> Learned:
    return Learned(reply_rows.list_all(t),
                   [(p.answer_id, p.words) for p in faq_learned.learned(t)])


def _answer(reply: SavedReply) -> Answer:
    return Answer(reply.id, reply.language or "", reply.title, reply.keywords,
                  reply.text or reply.caption or "")


def suggest(storage: Storage, out: TextIO, *, learning: bool, texts_dir: Path,
            threshold: float | None, min_questions: int, write: bool) -> int:
    learned = storage.run_sync(_read)
    threshold = threshold or AUTO_THRESHOLD
    if not learned.pairs:
        out.write("Nothing learned yet: " + (
            "no team member has answered a client's question by picking a saved reply since "
            "FAQ_LEARN was turned on.\n" if learning else
            "FAQ_LEARN is off (set FAQ_LEARN=on to let the desk keep the words of the "
            "questions the team answers with a saved reply).\n"))
        return 0
    by_id = {r.id: r for r in learned.replies}
    ready = [_answer(r) for r in learned.replies if r.source == "file"]
    answers = [_answer(r) for r in learned.replies]
    proposals = propose(answers, learned.pairs, min_questions=min_questions)
    judged = {p.answer.id: p for p in with_effect(
        [p for p in proposals if by_id[p.answer.id].source == "file"], ready, threshold)}
    out.write(f"Learned from the team: {_counted(len(learned.pairs), 'question')} answered "
              f"with {_counted(len(proposals), 'saved reply', 'saved replies')}.\n")
    written = 0
    for proposal in proposals:
        reply = by_id[proposal.answer.id]
        shown = judged.get(reply.id, proposal)
        out.write("\n" + _report(reply, shown, threshold))
        if write and reply.source == "file" and proposal.keywords:
            written += _write_keywords(texts_dir / (reply.file_path or ""), proposal)
    if write:
        out.write(f"\nWrote keywords into {written} file(s) under {texts_dir}; a running desk "
                  "reads them within seconds (or now: atendimento reload).\n")
    elif any(p.keywords and by_id[p.answer.id].source == "file" for p in proposals):
        out.write("\nAdd them by hand, or run again with --write to add them to the files.\n")
    if not learning:
        out.write("FAQ_LEARN is off now: the desk learns nothing new.\n")
    return 0


def _report(reply: SavedReply, proposal: Proposal, threshold: float) -> str:
    where = reply.file_path if reply.source == "file" else f"saved reply {reply.id}"
    count = len(proposal.questions)
    lines = [f"{where} — “{reply.title}” ({_counted(count, 'question')})"]
    if not proposal.keywords:
        lines.append("  no new keyword: its questions use words it knows, or words other "
                     "replies' questions use too")
        return "\n".join(lines) + "\n"
    lines.append("  proposed: " + ", ".join(f"{w} ({n})" for w, n in proposal.keywords))
    if reply.source == "file":
        lines.append(f"  answered by the FAQ itself (confidence ≥ {threshold:.0%}): "
                     f"{proposal.before} of {count} now, {proposal.after} with them")
        lines.append("  keywords: " + ", ".join(_grown(reply.keywords, proposal)))
    else:
        lines.append("  (saved with /resposta: change its keywords in /respostas)")
    return "\n".join(lines) + "\n"


def _counted(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _grown(keywords: Sequence[str], proposal: Proposal) -> list[str]:
    return list(dict.fromkeys([*keywords, *(w for w, _ in proposal.keywords)]))


def _write_keywords(path: Path, proposal: Proposal) -> int:
    """Puts the grown keywords line in the file's front matter; 0 when the file cannot be
    changed (gone since the desk read it, or not as the desk reads it)."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError:
        return 0
    if not lines or lines[0].strip() != "---":
        return 0
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if close is None:
        return 0
    at = next((i for i in range(1, close) if _KEYWORDS_LINE.match(lines[i].strip())), None)
    found = _KEYWORDS_LINE.match(lines[at].strip()) if at is not None else None
    now = [k.strip() for k in found.group(1).split(",") if k.strip()] if found else []
    line = "keywords: " + ", ".join(_grown(now, proposal))
    if at is None:
        lines.insert(close, line)
    else:
        lines[at] = line
    path.write_text("\n".join(lines), encoding="utf-8")
    return 1


def forget(storage: Storage, out: TextIO) -> int:
    count = storage.run_sync(faq_learned.forget_all)
    out.write(f"Forgot {count} learned question(s).\n")
    return 0
