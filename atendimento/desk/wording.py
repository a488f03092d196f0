"""Every line the desk writes: service lines and notices for the team, short notes to clients.

The team reads the team's language; a client reads their own (resolved from Telegram's
language code). Nothing here sends: services decide when, this module only says how.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from atendimento.desk import ports
from atendimento.domain.card import CardWords
from atendimento.domain.priority import ORDER, Priority
from atendimento.domain.text import quote
from atendimento.i18n import NP_, Translator
from atendimento.storage.records import FROM_BOT, TO_CLIENT

KIND_NAMES = {  # NP_ marks them for extraction; `kind()` translates them
    "text": NP_("kind", "text"),
    "photo": NP_("kind", "photo"),
    "video": NP_("kind", "video"),
    "document": NP_("kind", "file"),
    "audio": NP_("kind", "audio"),
    "voice": NP_("kind", "voice message"),
    "video_note": NP_("kind", "video message"),
    "sticker": NP_("kind", "sticker"),
    "animation": NP_("kind", "GIF"),
    "contact": NP_("kind", "contact"),
    "location": NP_("kind", "location"),
    "venue": NP_("kind", "place"),
    "poll": NP_("kind", "poll"),
    "dice": NP_("kind", "dice"),
    "game": NP_("kind", "game"),
    "story": NP_("kind", "story"),
    "paid_media": NP_("kind", "paid media"),
    "giveaway": NP_("kind", "giveaway"),
    "unknown": NP_("kind", "message"),
}

# What someone typed is quoted shortened (`quote`), so that no line the desk writes can grow
# past Telegram's 4096 units whatever was typed. Names are never cut in practice: Telegram
# allows 64 + 64 characters (astral ones count two units), and a space between.
NAME_LIMIT = 257
COMMAND_LIMIT = 64  # Telegram's commands have at most 32 characters
VALUE_LIMIT = 64  # a command's argument echoed back (`/p amanhã`)
ORIGIN_LIMIT = 64  # a deep link's parameter has at most 64
REASON_LIMIT = 1000
PREVIEW_LIMIT = 120


class Wording:
    def __init__(self, translator: Translator, timezone: str) -> None:
        self.tr = translator
        self.team = translator.team_locale
        self.timezone = timezone

    # --- the card ---------------------------------------------------------------------------

    def priority(self, priority: Priority, locale: str | None = None) -> str:
        words = {
            Priority.URGENT: self.tr.pgettext(locale or self.team, "priority", "urgent"),
            Priority.HIGH: self.tr.pgettext(locale or self.team, "priority", "high"),
            Priority.NORMAL: self.tr.pgettext(locale or self.team, "priority", "normal"),
            Priority.LOW: self.tr.pgettext(locale or self.team, "priority", "low"),
        }
        return words[priority]

    def priority_names(self) -> list[tuple[str, Priority]]:
        """Every localized name of every priority, so `/p alta` works whatever the language."""
        return [(self.priority(p, locale), p) for locale in self.tr.locales for p in ORDER]

    def card_words(self, ignored: int = 0) -> CardWords:
        t = self.team
        return CardWords(
            open=self.tr.pgettext(t, "state", "open"),
            ended=self.tr.pgettext(t, "state", "ended"),
            banned=self.tr.pgettext(t, "state", "banned"),
            priorities={p: self.priority(p) for p in ORDER},
            blocked_bot=self.tr._(t, "The client blocked the bot."),
            ignored=self.tr.ngettext(t, "{n} message ignored while banned",
                                     "{n} messages ignored while banned", ignored),
        )

    def kind(self, kind: str, locale: str | None = None) -> str:
        return self.tr.pgettext(locale or self.team, "kind", KIND_NAMES.get(kind, "message"))

    # --- service lines in the thread --------------------------------------------------------

    def opened(self, number: int, origin: str | None, when: datetime) -> str:
        time = self.tr.format_datetime(when, self.team, self.timezone, format="short")
        if origin:
            return self.tr._(self.team, "📂 Atendimento #{number} opened from “{origin}” · {time}",
                             number=number, origin=quote(origin, ORIGIN_LIMIT), time=time)
        return self.tr._(self.team, "📂 Atendimento #{number} opened · {time}",
                         number=number, time=time)

    def ended(self, number: int, by: str, duration: timedelta) -> str:
        return self.tr._(self.team, "✅ Atendimento #{number} ended by {name} after {duration}",
                         number=number, name=quote(by, NAME_LIMIT),
                         duration=self.tr.format_duration(duration, self.team))

    def nothing_to_end(self) -> str:
        return self.tr._(self.team, "There is no open atendimento to end.")

    def priority_set(self, priority: Priority, by: str) -> str:
        return self.tr._(self.team, "🎚 Priority set to {priority} by {name}",
                         priority=self.priority(priority), name=quote(by, NAME_LIMIT))

    def choose_priority(self) -> str:
        return self.tr._(self.team, "Choose the priority:")

    def unknown_priority(self, value: str) -> str:
        choices = ", ".join(f"{p.rank} {self.priority(p)}" for p in ORDER)
        return self.tr._(self.team, "Unknown priority “{value}”. Use one of: {choices}.",
                         value=quote(value, VALUE_LIMIT), choices=choices)

    def banned(self, client: str, by: str, reason: str) -> str:
        client, by = quote(client, NAME_LIMIT), quote(by, NAME_LIMIT)
        if reason:
            return self.tr._(self.team, "⛔ {client} was banned by {name}: {reason}",
                             client=client, name=by, reason=quote(reason, REASON_LIMIT))
        return self.tr._(self.team, "⛔ {client} was banned by {name}", client=client, name=by)

    def unbanned(self, client: str, by: str) -> str:
        return self.tr._(self.team, "✅ {client} was unbanned by {name}",
                         client=quote(client, NAME_LIMIT), name=quote(by, NAME_LIMIT))

    def already_banned(self) -> str:
        return self.tr._(self.team, "The client is already banned.")

    def not_banned(self) -> str:
        return self.tr._(self.team, "The client is not banned.")

    def admins_only(self, command: str) -> str:
        return self.tr._(self.team, "Only channel administrators can use /{command}.",
                         command=quote(command, COMMAND_LIMIT))

    def unknown_command(self, command: str) -> str:
        return self.tr._(self.team, "Unknown command /{command}; it was not sent to the client.",
                         command=quote(command, COMMAND_LIMIT))

    def undelivered(self, reason: str, detail: str = "") -> str:
        t = self.team
        lines = {
            ports.BLOCKED: self.tr._(t, "⚠️ Not delivered: the client blocked the bot."),
            ports.DEACTIVATED: self.tr._(t, "⚠️ Not delivered: the client's account was deleted."),
            ports.TOO_LONG: self.tr._(t, "⚠️ Not delivered: the message is too long."),
            ports.NOT_FOUND: self.tr._(t, "⚠️ Not delivered: the client cannot be reached."),
            ports.UNSUPPORTED: self.tr._(
                t, "⚠️ Not delivered: this kind of message cannot be copied to the client."),
            ports.GAVE_UP: self.tr._(
                t, "⚠️ Not delivered: Telegram kept failing, the desk gave up."),
            ports.FORBIDDEN: self.tr._(
                t, "⚠️ Not delivered: Telegram does not let the bot write there ({error}).",
                error=detail or reason),
        }
        if reason in lines:
            return lines[reason]
        return self.tr._(t, "⚠️ Not delivered: Telegram said {error}.", error=detail or reason)

    def deleted_by_client(self) -> str:
        return self.tr._(self.team, "🗑 The client deleted this message.")

    def answer_deleted_by_client(self) -> str:
        return self.tr._(self.team, "🗑 The client deleted this answer from their chat.")

    def deleted_in_chat(self, direction: str) -> str:
        """Parallel mode: the existing bot may delete messages in the chat as well as the
        client, and Telegram does not say who did."""
        if direction == FROM_BOT:
            return self.tr._(self.team, "🗑 This message of the bot was deleted from the "
                             "client's chat.")
        if direction == TO_CLIENT:
            return self.tr._(self.team, "🗑 This answer was deleted from the client's chat.")
        return self.tr._(self.team, "🗑 This message was deleted from the client's chat.")

    def client_sent_unsupported(self, kind: str) -> str:
        return self.tr._(self.team, "❔ The client sent a {kind}, which cannot be relayed.",
                         kind=self.kind(kind))

    def not_a_member(self, name: str) -> str:
        return self.tr._(self.team, "🚫 Not sent to the client: {name} is not a member of the "
                         "channel.", name=quote(name, NAME_LIMIT))

    def membership_unknown(self, name: str) -> str:
        return self.tr._(self.team, "🚫 Not sent to the client: could not confirm that {name} "
                         "is a member of the channel. Try again in a moment.",
                         name=quote(name, NAME_LIMIT))

    def anonymous_warning(self) -> str:
        return self.tr._(self.team, "👤 This comment was sent anonymously and was relayed. "
                         "Please turn off “Remain anonymous” for the team in the group's "
                         "administrator rights, so the desk knows who answers.")

    # --- for the client ---------------------------------------------------------------------

    def unsupported_for_client(self, kind: str, locale: str) -> str:
        return self.tr._(locale, "Sorry, a {kind} cannot be delivered to our team. Please send "
                         "it another way.", kind=self.kind(kind, locale))

    # --- notices to admins ------------------------------------------------------------------

    def notice(self, *, resumed: bool, client: str, origin: str | None, preview: str,
               link: str, locale: str) -> str:
        client = quote(client, NAME_LIMIT)
        if resumed:
            head = self.tr._(locale, "🔁 {client} is back", client=client)
        else:
            head = self.tr._(locale, "🆕 New client: {client}", client=client)
        lines = [head]
        if origin:
            lines.append(self.tr._(locale, "Origin: {origin}", origin=quote(origin, ORIGIN_LIMIT)))
        if preview:
            lines.append(f"“{quote(preview, PREVIEW_LIMIT)}”")
        lines.append(link)
        return "\n".join(lines)

    def notifications(self, enabled: bool, locale: str) -> str:
        if enabled:
            return self.tr._(locale, "🔔 Notices are on: you will hear about new and returning "
                             "clients. /notificacoes off turns them off.")
        return self.tr._(locale, "🔕 Notices are off. /notificacoes on turns them on.")

    def notifications_usage(self, locale: str) -> str:
        return self.tr._(locale, "Use /notificacoes on or /notificacoes off.")

    def team_only(self, locale: str) -> str:
        return self.tr._(locale, "This command is for the team's administrators.")
