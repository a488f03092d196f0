"""Saved replies: `/resposta` saves a message (in a thread or in the private chat), `/respostas`
lists, renames and deletes them, and the team finds them anywhere through the bot's inline mode
(`@bot terms`); nobody outside the team ever sees them. The ready answers of respostas/ are
saved replies too. A team member's private chat with the bot is their workspace for this."""

from __future__ import annotations

from atendimento.desk.contract import (
    ADMINS,
    PRIVATE,
    RELAY,
    TEAM,
    THREAD,
    Buttons,
    Command,
    Feature,
    Inline,
)
from atendimento.desk.core import Core
from atendimento.domain.events import Person
from atendimento.domain.ids import parse_id
from atendimento.features.replies.book import INLINE_PAGE, ReplyBook
from atendimento.features.replies.wording import LIST_BUTTON, ReplyWording
from atendimento.features.replies.workspace import Workspace
from atendimento.i18n import N_


class InlineSearch:
    def __init__(self, book: ReplyBook) -> None:
        self.book = book

    async def query(self, user: Person, query: str, offset: str, answer) -> None:
        start = parse_id(offset) or 0  # the offset comes back from the person's app
        found = self.book.search(query, start)
        self.book.shown(user.id, found)
        more = len(found) == INLINE_PAGE
        await answer(found, str(start + len(found)) if more else "")

    async def chosen(self, user: Person, result_id: str) -> None:
        """Telegram's feedback that `user` sent the result `result_id` (a saved reply's id)."""
        if (reply_id := parse_id(result_id)) is not None:
            await self.book.chosen(user.id, reply_id)


def feature(core: Core) -> Feature:
    ctx = core.ctx
    book = ReplyBook(ctx)
    words = ReplyWording(ctx.wording, ctx.bot_username)
    workspace = Workspace(ctx, book, core.team, core.threads, words)
    search = InlineSearch(book)
    save = ("resposta", "salvar", "save")
    return Feature(
        "replies",
        commands=[
            Command(save, THREAD, workspace.save_in_thread,
                    summary=N_("Save the replied message as a saved reply"), menus=(TEAM,)),
            Command(save, PRIVATE, workspace.save,
                    summary=N_("Save the replied message as a saved reply")),
            Command(("respostas", "replies"), PRIVATE, workspace.listing,
                    summary=N_("List, rename and delete saved replies"), menus=(ADMINS,)),
            # Meaningless to a client: from one, they are a message for the team.
            Command(("cliente", "client"), PRIVATE, workspace.client_mode, outsiders=RELAY,
                    summary=N_("Try the desk as a client in this chat")),
            Command(("equipe", "team"), PRIVATE, workspace.team_mode, outsiders=RELAY,
                    summary=N_("Back to the team's workspace in this chat")),
            Command(("cancelar", "cancel"), PRIVATE, workspace.cancel, outsiders=RELAY,
                    summary=N_("Cancel what the bot asked for")),
        ],
        buttons=[Buttons(LIST_BUTTON, workspace.button, own_chat=True)],
        inline=Inline(search.query, search.chosen, book.arrived),
        claim=workspace.claim,
        texts=("prontas",),
        api=book)
