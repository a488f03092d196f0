"""The lines of /marcar, in the team's language: what changed and who changed it, the list,
and a reason for every word that is not a tag."""

from __future__ import annotations

from collections.abc import Sequence

from atendimento.desk.wording import NAME_LIMIT, Wording
from atendimento.domain.text import quote
from atendimento.features.tags import words as tag_words

WORD_LIMIT = 40  # a refused word is echoed back shortened


def hashtags(tags: Sequence[str]) -> str:
    return " ".join(f"#{tag}" for tag in tags)


class TagWording:
    def __init__(self, wording: Wording) -> None:
        self.words = wording
        self.tr = wording.tr
        self.team = wording.team

    def listing(self, client: str, tags: Sequence[str]) -> str:
        client = quote(client, NAME_LIMIT)
        if not tags:
            return self.tr._(self.team, "🏷 {client} has no tags. /marcar vip adds one, "
                             "/marcar -vip takes it away.", client=client)
        return self.tr._(self.team, "🏷 Tags of {client}: {tags}", client=client,
                         tags=hashtags(tags))

    def changed(self, added: Sequence[str], removed: Sequence[str], by: str) -> str:
        parts = []
        if added:
            parts.append(self.tr._(self.team, "added {tags}", tags=hashtags(added)))
        if removed:
            parts.append(self.tr._(self.team, "removed {tags}", tags=hashtags(removed)))
        return self.tr._(self.team, "🏷 Tags: {changes} (by {name})", changes="; ".join(parts),
                         name=quote(by, NAME_LIMIT))

    def refused(self, typed: str, tag: str, problem: str) -> str:
        t, word = self.team, quote(typed, WORD_LIMIT)
        if problem == tag_words.TOO_LONG:
            return self.tr._(t, "“{word}” is not a tag: a tag has at most {limit} characters.",
                             word=word, limit=tag_words.TAG_LIMIT)
        if problem == tag_words.NO_LETTER:
            return self.tr._(t, "“{word}” is not a tag: a tag needs at least one letter.",
                             word=word)
        if problem == tag_words.THE_DESKS:
            return self.tr._(t, "“{word}” is not a tag: #{tag} is one of the card's own "
                             "hashtags.", word=word, tag=quote(tag, WORD_LIMIT))
        return self.tr._(t, "“{word}” is not a tag: a tag is one word of letters, digits "
                         "and _.", word=word)

    def full(self, tag: str) -> str:
        return self.tr._(self.team, "#{tag} was not added: a client has at most {limit} tags.",
                         tag=tag, limit=tag_words.TAGS_PER_CLIENT)

    def already(self, tag: str) -> str:
        return self.tr._(self.team, "#{tag} was already there.", tag=tag)

    def not_there(self, tag: str) -> str:
        return self.tr._(self.team, "#{tag} was not there.", tag=quote(tag, WORD_LIMIT))

    def unread(self, more: int) -> str:
        return self.tr.ngettext(self.team, "{n} more word was not read: at most {limit} at a "
                                "time.", "{n} more words were not read: at most {limit} at a "
                                "time.", more, limit=tag_words.WORDS_READ)
