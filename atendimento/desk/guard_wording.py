"""The lines the desk's guards write: refusals (someone outside the team, a forged button) and
what the team and the client are told when a message could not be handled."""

from __future__ import annotations

from atendimento.domain.text import quote
from atendimento.i18n import Translator

TITLE_LIMIT = 128  # a chat's title is up to 128 characters
ERROR_LIMIT = 200  # an error's name or description
COMMAND_LIMIT = 80


class GuardWording:
    def __init__(self, translator: Translator) -> None:
        self.tr = translator
        self.team = translator.team_locale

    # --- refusals in the thread -------------------------------------------------------------

    def anonymous_not_team(self, *, known: bool) -> str:
        if known:
            return self.tr._(self.team, "🚫 Not sent to the client: it was sent anonymously, "
                             "as the group, and not every administrator of the group who "
                             "may do that is a member of the channel. Give the “Remain "
                             "anonymous” right to the team only, or write as yourself.")
        return self.tr._(self.team, "🚫 Not sent to the client: it was sent anonymously, as "
                         "the group, and Telegram could not say who may do that. Try again "
                         "in a moment.")

    def command_aside(self, command: str, *, caption: bool) -> str:
        command = quote(command, COMMAND_LIMIT)
        if caption:
            return self.tr._(self.team, "🚫 Not sent to the client: a command in a caption is "
                             "not run. Send {command} as a message of its own.",
                             command=command)
        return self.tr._(self.team, "🚫 Not sent to the client: {command} is a command for "
                         "another bot.", command=command)

    def foreign_chat(self, title: str) -> str:
        if title:
            return self.tr._(self.team, "🚫 Not sent to the client: it was sent as “{chat}”, "
                             "which is not the team's channel.",
                             chat=quote(title, TITLE_LIMIT))
        return self.tr._(self.team, "🚫 Not sent to the client: it was sent as a chat that is "
                         "not the team's channel.")

    def members_only(self, locale: str) -> str:
        return self.tr._(locale, "This is for the team only.")

    # --- buttons ----------------------------------------------------------------------------

    def button_invalid(self, locale: str) -> str:
        return self.tr._(locale, "This button is no longer valid.")

    def button_failed(self, locale: str) -> str:
        return self.tr._(locale, "Something went wrong; please try again in a moment.")

    # --- messages that could not be handled -------------------------------------------------

    def comment_not_handled(self, error: str) -> str:
        return self.tr._(self.team, "⚠️ This comment could not be handled ({error}) and was not "
                         "sent to the client. Please send it again.",
                         error=quote(error, ERROR_LIMIT))

    def client_message_not_handled(self, error: str) -> str:
        return self.tr._(self.team, "⚠️ A message from the client could not be copied here "
                         "({error}). They were asked to send it again.",
                         error=quote(error, ERROR_LIMIT))

    def client_asked_again(self, locale: str) -> str:
        return self.tr._(locale, "Sorry, your last message could not reach our team. Please "
                         "send it again.")

    def edit_not_handled(self, error: str) -> str:
        return self.tr._(self.team, "⚠️ This edit could not be mirrored ({error}).",
                         error=quote(error, ERROR_LIMIT))

    def edit_kept(self, *, command: bool) -> str:
        if command:
            return self.tr._(self.team, "✏️ This edit was not sent to the client: it is a "
                             "command now. The client still reads the earlier version.")
        return self.tr._(self.team, "✏️ This edit was not sent to the client: it is an "
                         "internal note now. The client still reads the earlier version.")

    def private_only(self, command: str, bot: str) -> str:
        return self.tr._(self.team, "ℹ️ /{command} works in your private chat with @{bot}, "
                         "not in a thread. Nothing was sent to the client.",
                         command=quote(command, COMMAND_LIMIT), bot=bot)

    def command_outside_thread(self) -> str:
        return self.tr._(self.team, "ℹ️ Commands work inside a client's thread: open the "
                         "comments of their card in the channel and send it there.")

    def edit_runs_nothing(self, command: str) -> str:
        return self.tr._(self.team, "✏️ An edit runs no command: send {command} again as a new "
                         "message.", command=quote(command, COMMAND_LIMIT))

    def edit_unsent(self) -> str:
        return self.tr._(self.team, "✏️ This edit was not sent to the client: the message "
                         "itself never reached them. Send it as a new message.")

    def edit_target_gone(self) -> str:
        return self.tr._(self.team, "⚠️ Edit not delivered: the copy of this message no longer "
                         "exists on the other side.")

    def parked(self, client: str, reason: str, locale: str) -> str:
        return self.tr._(locale, "⚠️ {client} wrote, but the desk could not open their thread "
                         "in the channel ({reason}). Their messages are kept and will be placed "
                         "in the thread as soon as it can; run “atendimento check” to see which "
                         "right the bot is missing.", client=quote(client, 257),
                         reason=quote(reason, ERROR_LIMIT))

    def thread_deleted(self, client: str) -> str:
        return self.tr._(self.team, "🗑 {client}: this card's comment thread was deleted from "
                         "the group. Their next messages go to a new card.",
                         client=quote(client, 257))

    def placed_moved(self, count: int) -> str:
        return self.tr.ngettext(self.team, "🗑 This client's previous comment thread was "
                                "deleted from the group: their conversation goes on here. The "
                                "message below came meanwhile.",
                                "🗑 This client's previous comment thread was deleted from the "
                                "group: their conversation goes on here. The {n} messages "
                                "below came meanwhile.", count)

    def placed_late(self, count: int) -> str:
        return self.tr.ngettext(self.team, "⏳ The message below arrived while the thread could "
                                "not be opened, and is placed late.",
                                "⏳ The {n} messages below arrived while the thread could not "
                                "be opened, and are placed late.", count)
