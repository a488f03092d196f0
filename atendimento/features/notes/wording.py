"""The lines of internal notes: under the note in the thread (the team's language) and the
private notice a mentioned colleague gets (their language)."""

from __future__ import annotations

from collections.abc import Sequence

from atendimento.desk.wording import NAME_LIMIT, Wording
from atendimento.domain.text import quote

NOTE_PREVIEW = 300  # of the note, in the colleague's notice


class NoteWording:
    def __init__(self, wording: Wording, bot_username: str) -> None:
        self.tr = wording.tr
        self.team = wording.team
        self.bot = bot_username

    def kept(self) -> str:
        return self.tr._(self.team, "📝 Internal note: it was not sent to the client.")

    def usage(self) -> str:
        return self.tr._(self.team, "Write the note after the command: /n the client prefers "
                         "calls. A comment that starts with // is a note too. The client never "
                         "sees notes.")

    def told(self, names: Sequence[str]) -> str:
        return self.tr._(self.team, "🔔 Told privately: {names}.",
                         names=", ".join(quote(name, NAME_LIMIT) for name in names))

    def unknown(self, username: str) -> str:
        return self.tr._(self.team, "❔ @{username} was not told: no team member the desk "
                         "knows has this username. A colleague becomes known by sending /start "
                         "to @{bot}.", username=username, bot=self.bot)

    def not_started(self, username: str) -> str:
        return self.tr._(self.team, "❔ @{username} was not told: they never started the bot. "
                         "Ask them to send /start to @{bot}.", username=username, bot=self.bot)

    def too_many(self, limit: int) -> str:
        return self.tr._(self.team, "Only the first {limit} people mentioned were told.",
                         limit=limit)

    def album_already_sent(self) -> str:
        return self.tr._(self.team, "⚠️ This album had already gone to the client with its "
                         "first item, this caption included: it is not an internal note.")

    def notice(self, colleague: str, client: str, note: str, link: str, locale: str) -> str:
        head = self.tr._(locale, "🙋 {colleague} asks for your help in the thread of {client}:",
                         colleague=quote(colleague, NAME_LIMIT), client=quote(client, NAME_LIMIT))
        lines = [head]
        if note.strip():
            lines.append(f"“{quote(note.strip(), NOTE_PREVIEW)}”")
        lines.append(link)
        return "\n".join(lines)
