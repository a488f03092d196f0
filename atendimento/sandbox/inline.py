"""Inline mode answers and bot command menus per scope and language (telegram.md §4)."""

from __future__ import annotations

from pyrogram import raw

from .errors import Fail
from .methods import Call
from .world import Account, World

T = raw.types
F = raw.functions


def _result(world: World, item):
    send = item.send_message
    if isinstance(item, T.InputBotInlineResultPhoto):
        photo = world.file(item.photo.id, item.photo.access_hash, item.photo.file_reference)
        return T.BotInlineMediaResult(
            id=item.id, type=item.type, photo=photo, send_message=_sent(send)
        )
    if isinstance(item, T.InputBotInlineResultDocument):
        doc = world.file(item.document.id, item.document.access_hash, item.document.file_reference)
        return T.BotInlineMediaResult(
            id=item.id,
            type=item.type,
            document=doc,
            send_message=_sent(send),
            title=item.title,
            description=item.description,
        )
    if isinstance(item, T.InputBotInlineResult):
        return T.BotInlineResult(
            id=item.id,
            type=item.type,
            send_message=_sent(send),
            title=item.title,
            description=item.description,
            url=item.url,
        )
    raise Fail(400, "RESULT_TYPE_INVALID")


def _sent(send):
    if isinstance(send, T.InputBotInlineMessageText):
        return T.BotInlineMessageText(
            message=send.message,
            no_webpage=send.no_webpage,
            entities=send.entities,
            reply_markup=send.reply_markup,
        )
    if isinstance(send, T.InputBotInlineMessageMediaAuto):
        return T.BotInlineMessageMediaAuto(
            message=send.message, entities=send.entities, reply_markup=send.reply_markup
        )
    raise Fail(400, "SEND_MESSAGE_TYPE_INVALID")


def set_results(call: Call, q: F.messages.SetInlineBotResults) -> bool:
    world = call.world
    query = world.inline_queries.get(q.query_id)
    if query is None or query.answered:
        raise Fail(400, "QUERY_ID_INVALID")
    ids = [r.id for r in q.results]
    if len(set(ids)) != len(ids):
        raise Fail(400, "RESULT_ID_DUPLICATE")
    query.results = [_result(world, r) for r in q.results]
    query.answered, query.next_offset = True, q.next_offset
    query.cache_time, query.private = q.cache_time, bool(q.private)
    return True


def scope_key(world: World, scope) -> tuple:
    kinds = {
        T.BotCommandScopeDefault: "default",
        T.BotCommandScopeUsers: "users",
        T.BotCommandScopeChats: "chats",
        T.BotCommandScopeChatAdmins: "chat_admins",
    }
    if type(scope) in kinds:
        return (kinds[type(scope)],)
    peer = world.resolve(scope.peer)
    peer_id = peer.id if isinstance(peer, Account) else -peer.id
    if isinstance(scope, T.BotCommandScopePeerUser):
        return ("peer_user", peer_id, world.resolve(scope.user_id).id)
    if isinstance(scope, T.BotCommandScopePeerAdmins):
        return ("peer_admins", peer_id)
    if isinstance(scope, T.BotCommandScopePeer):
        return ("peer", peer_id)
    raise Fail(400, "SCOPE_INVALID")


def set_commands(call: Call, q: F.bots.SetBotCommands) -> bool:
    key = (scope_key(call.world, q.scope), q.lang_code)
    call.world.commands[key] = [(c.command, c.description) for c in q.commands]
    return True


def reset_commands(call: Call, q: F.bots.ResetBotCommands) -> bool:
    call.world.commands.pop((scope_key(call.world, q.scope), q.lang_code), None)
    return True


def get_commands(call: Call, q: F.bots.GetBotCommands) -> list:
    found = call.world.commands.get((scope_key(call.world, q.scope), q.lang_code), [])
    return [T.BotCommand(command=c, description=d) for c, d in found]


def menu(
    world: World, person: Account, chat_id: int | None = None, admin: bool = False
) -> list[tuple[str, str]]:
    """The command list a Telegram client shows ``person`` (telegram.md §4 resolution order)."""
    if chat_id is None:
        order = [("peer", person.id), ("users",), ("default",)]
    else:
        order = [("peer_user", chat_id, person.id)]
        if admin:
            order.append(("peer_admins", chat_id))
        order.append(("peer", chat_id))
        if admin:
            order.append(("chat_admins",))
        order += [("chats",), ("default",)]
    # A list set for "pt" serves a user whose app says "pt-br" (language codes are ISO 639-1).
    languages = list(dict.fromkeys((person.lang_code, person.lang_code.split("-")[0], "")))
    for scope in order:
        for lang in languages:
            found = world.commands.get((scope, lang))
            if found is not None:
                return list(found)
    return []


def handlers() -> dict:
    return {
        F.messages.SetInlineBotResults: set_results,
        F.bots.SetBotCommands: set_commands,
        F.bots.ResetBotCommands: reset_commands,
        F.bots.GetBotCommands: get_commands,
    }
