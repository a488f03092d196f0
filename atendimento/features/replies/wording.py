"""The lines about saved replies and the FAQ: in the thread (team language) and in a team
member's private chat with the bot (their language)."""

from __future__ import annotations

from collections.abc import Sequence

from atendimento.desk.ports import Button
from atendimento.desk.wording import Wording
from atendimento.domain.text import cut, quote
from atendimento.storage.records import SavedReply

LIST_BUTTON = "r:"
MATCHED_SHOWN = 8  # words that matched, shown on a thread line
WORD_LIMIT = 30
OTHER_TITLE_LIMIT = 80  # characters of another possible answer's title on the 💡 line
OTHER_BUTTON_LIMIT = 40


class ReplyWording:
    def __init__(self, wording: Wording, bot_username: str) -> None:
        self.words = wording
        self.tr = wording.tr
        self.team = wording.team
        self.bot = bot_username

    # --- saving -------------------------------------------------------------------------------

    def saved(self, reply: SavedReply, locale: str | None = None) -> str:
        return self.tr._(locale or self.team, "💾 Saved as reply #{number}: “{title}”. Type "
                         "@{bot} and a word of it in any chat to use it.", number=reply.id,
                         title=reply.title, bot=self.bot)

    def album_item(self, locale: str | None = None) -> str:
        return self.tr._(locale or self.team, "ℹ️ Only this item of the album was saved: a "
                         "saved reply is one message. Answer the item with the caption to keep "
                         "the caption.")

    def same_title(self, ids: list[int], locale: str | None = None) -> str:
        numbers = ", ".join(f"#{number}" for number in ids)
        return self.tr.ngettext(locale or self.team, "⚠️ Reply {numbers} has the same title. If "
                                "it is the old version, delete it in /respostas.",
                                "⚠️ Replies {numbers} have the same title. If they are old "
                                "versions, delete them in /respostas.", len(ids),
                                numbers=numbers)

    def save_usage(self, locale: str | None = None) -> str:
        return self.tr._(locale or self.team, "To save a reply, answer the message you want to "
                         "keep with /resposta and a few keywords, for example: "
                         "/resposta prazo de entrega")

    def not_saveable(self, kind: str, locale: str | None = None) -> str:
        loc = locale or self.team
        return self.tr._(loc, "A {kind} cannot be a saved reply: save a text, photo, video, "
                         "file, audio, voice message, GIF or sticker.",
                         kind=self.words.kind(kind, loc))

    def message_gone(self, locale: str | None = None) -> str:
        return self.tr._(locale or self.team, "The message to save is no longer there.")

    def from_file(self, path: str, locale: str) -> str:
        return self.tr._(locale, "This reply comes from the file {path}: change the file to "
                         "change it.", path=path)

    def gone(self, locale: str) -> str:
        return self.tr._(locale, "This saved reply no longer exists.")

    def team_only(self, locale: str) -> str:
        return self.tr._(locale, "This is for the team only.")

    # --- the list in the private chat -----------------------------------------------------

    def listing(self, replies: list[SavedReply], page: int, pages: int,
                locale: str) -> tuple[str, list[list[Button]]]:
        if not replies:
            return self.tr._(locale, "No saved replies yet. Answer any message with /resposta "
                             "and a few keywords to save one."), []
        head = self.tr._(locale, "📚 Saved replies, most used first (page {page} of {pages}). "
                         "Choose one to rename it, change its keywords or delete it.",
                         page=page + 1, pages=pages)
        rows = [[Button(self._label(reply, locale), f"{LIST_BUTTON}o:{reply.id}:{page}")]
                for reply in replies]
        if pages > 1:
            rows.append([Button("◀️", f"{LIST_BUTTON}l:{(page - 1) % pages}"),
                         Button(f"{page + 1}/{pages}", f"{LIST_BUTTON}l:{page}"),
                         Button("▶️", f"{LIST_BUTTON}l:{(page + 1) % pages}")])
        return head, rows

    def _label(self, reply: SavedReply, locale: str) -> str:
        uses = self.tr.ngettext(locale, "{n} use", "{n} uses", reply.uses)
        marker = "📄 " if reply.source == "file" else ""
        return f"{marker}#{reply.id} {cut(reply.title, 40, ellipsis='…')} · {uses}"

    def detail(self, reply: SavedReply, page: int, locale: str) -> tuple[str, list[list[Button]]]:
        lines = [f"#{reply.id} “{reply.title}”"]
        if reply.keywords:
            lines.append(self.tr._(locale, "Keywords: {keywords}",
                                   keywords=quote(", ".join(reply.keywords), 1000)))
        kind = self.words.kind(reply.media_type or "text", locale)
        lines.append(self.tr.ngettext(locale, "{kind}, used {n} time", "{kind}, used {n} times",
                                      reply.uses, kind=kind))
        body = reply.text or reply.caption
        if body:
            lines.append("\n" + cut(body, 300, ellipsis="…"))
        back = Button(self.tr._(locale, "⬅️ Back"), f"{LIST_BUTTON}l:{page}")
        if reply.source == "file":
            lines.append("\n" + self.from_file(reply.file_path or "", locale))
            return "\n".join(lines), [[back]]
        rows = [[Button(self.tr._(locale, "✏️ Rename"), f"{LIST_BUTTON}n:{reply.id}"),
                 Button(self.tr._(locale, "🏷 Keywords"), f"{LIST_BUTTON}k:{reply.id}")],
                [Button(self.tr._(locale, "🗑 Delete"), f"{LIST_BUTTON}d:{reply.id}:{page}"),
                 back]]
        return "\n".join(lines), rows

    def confirm_delete(self, reply: SavedReply, page: int,
                       locale: str) -> tuple[str, list[list[Button]]]:
        text = self.tr._(locale, "Delete reply #{number} “{title}”? This cannot be undone.",
                         number=reply.id, title=reply.title)
        return text, [[Button(self.tr._(locale, "✅ Yes, delete"),
                              f"{LIST_BUTTON}y:{reply.id}:{page}"),
                       Button(self.tr._(locale, "↩️ No, keep it"),
                              f"{LIST_BUTTON}o:{reply.id}:{page}")]]

    def deleted(self, reply: SavedReply, locale: str) -> str:
        return self.tr._(locale, "🗑 Reply #{number} “{title}” deleted.", number=reply.id,
                         title=reply.title)

    def ask_title(self, reply: SavedReply, locale: str) -> str:
        return self.tr._(locale, "Send the new title for reply #{number} (or /cancelar).",
                         number=reply.id)

    def ask_keywords(self, reply: SavedReply, locale: str) -> str:
        return self.tr._(locale, "Send the keywords for reply #{number}, separated by commas "
                         "(or /cancelar).", number=reply.id)

    def renamed(self, reply: SavedReply, locale: str) -> str:
        return self.tr._(locale, "✅ Reply #{number} is now “{title}”.", number=reply.id,
                         title=reply.title)

    def keywords_set(self, reply: SavedReply, locale: str) -> str:
        return self.tr._(locale, "✅ Keywords of reply #{number}: {keywords}.", number=reply.id,
                         keywords=quote(", ".join(reply.keywords), 1000) or "—")

    def cancelled(self, locale: str) -> str:
        return self.tr._(locale, "Cancelled.")

    def prompt_expired(self, locale: str) -> str:
        return self.tr._(locale, "⌛ That question expired (it waits 10 minutes), so nothing "
                         "changed. Open the reply in /respostas and press the button again.")

    def text_wanted(self, locale: str) -> str:
        return self.tr._(locale, "Send it as a text message, or /cancelar.")

    def not_here(self, command: str, locale: str) -> str:
        return self.tr._(locale, "❔ /{command} does nothing in this chat. The commands of a "
                         "thread (/fim, /p…) work in a client's thread; /ajuda lists the ones "
                         "that work here.", command=quote(command, 80))

    # --- the team member's private chat -----------------------------------------------------

    def workspace_hint(self, locale: str) -> str:
        return self.tr._(locale, "You are on the team, so what you send here opens no "
                         "atendimento. Here you can save replies (answer a message with "
                         "/resposta and keywords), list them with /respostas, and use them in "
                         "any chat by typing @{bot}. To try the desk as a client, send /cliente.",
                         bot=self.bot)

    def client_mode(self, on: bool, locale: str) -> str:
        if on:
            return self.tr._(locale, "From now on your messages here reach the team as a "
                             "client's. Send /equipe to come back.")
        return self.tr._(locale, "Back to the team's workspace: your messages here open no "
                         "atendimento.")

    # --- the FAQ ------------------------------------------------------------------------------

    def score(self, score: float) -> str:
        return f"{round(score * 100)}%"

    def matching(self, matched: Sequence[str]) -> str:
        shown = [quote(word, WORD_LIMIT) for word in matched[:MATCHED_SHOWN]]
        return ", ".join(shown) if shown else "—"

    def auto_answered(self, title: str, score: float, matched: Sequence[str] = ()) -> str:
        return self.tr._(self.team, "🤖 Answered automatically with “{title}” (confidence "
                         "{score}; matching words: {words}).", title=title,
                         score=self.score(score), words=self.matching(matched))

    def suggestion(self, title: str, score: float, matched: Sequence[str] = (),
                   others: Sequence[str] = ()) -> tuple[str, list[list[Button]]]:
        """The 💡 line: the best fit, and the next ones (`others`, titles) the team may
        want instead, each a button that opens it in inline mode."""
        text = self.tr._(self.team, "💡 Possible answer: “{title}” (confidence {score}; "
                         "matching words: {words}). Nothing was sent to the client.",
                         title=title, score=self.score(score), words=self.matching(matched))
        buttons = [[Button(self.tr._(self.team, "🔎 Use it"), inline_query=title)]]
        if others:
            text += "\n" + self.tr._(self.team, "Also possible: {titles}.", titles=", ".join(
                f"“{quote(other, OTHER_TITLE_LIMIT)}”" for other in others))
            buttons += [[Button(f"🔎 {quote(other, OTHER_BUTTON_LIMIT)}", inline_query=other)]
                        for other in others]
        return text, buttons

    def handover(self) -> str:
        return self.tr._(self.team, "🙋 The client asked for a person: automatic answers have "
                         "stopped in this atendimento.")

    def handover_notice(self, client: str, link: str, locale: str) -> str:
        return self.tr._(locale, "🙋 {client} asked to talk to a person.\n{link}", client=client,
                         link=link)
