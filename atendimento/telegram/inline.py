"""Saved replies as inline results: texts as articles, files as cached media by file id."""

from __future__ import annotations

from pyrogram import enums, types

from atendimento.domain.text import cut
from atendimento.storage.records import SavedReply
from atendimento.telegram.convert import entities_from_dicts

DESCRIPTION_LENGTH = 100


def inline_result(reply: SavedReply) -> types.InlineQueryResult:
    """The result that sends `reply` as written (placeholders are filled in the client's copy,
    not here: the thread shows what the attendant chose)."""
    result_id = str(reply.id)
    body = reply.text or reply.caption or ""
    description = cut(" ".join(body.split()), DESCRIPTION_LENGTH, ellipsis="…") or None
    if reply.file_id is None:
        if reply.source == "file":
            content = types.InputTextMessageContent(reply.text or "",
                                                    parse_mode=enums.ParseMode.MARKDOWN)
        else:
            content = types.InputTextMessageContent(
                reply.text or "", entities=entities_from_dicts(reply.entities),
                parse_mode=enums.ParseMode.DISABLED)
        return types.InlineQueryResultArticle(title=reply.title, input_message_content=content,
                                              id=result_id, description=description)
    caption = dict(caption=reply.caption or "", caption_entities=entities_from_dicts(
        reply.entities), parse_mode=enums.ParseMode.DISABLED)
    file_id, kind, title = reply.file_id, reply.media_type, reply.title
    if kind == "photo":
        return types.InlineQueryResultCachedPhoto(file_id, id=result_id, title=title,
                                                  description=description, **caption)
    if kind == "video":
        return types.InlineQueryResultCachedVideo(file_id, title, id=result_id,
                                                  description=description, **caption)
    if kind == "audio":
        return types.InlineQueryResultCachedAudio(file_id, id=result_id, **caption)
    if kind == "voice":
        return types.InlineQueryResultCachedVoice(file_id, id=result_id, title=title, **caption)
    if kind == "animation":
        return types.InlineQueryResultCachedAnimation(file_id, id=result_id, title=title,
                                                      **caption)
    if kind == "sticker":
        return types.InlineQueryResultCachedSticker(file_id, id=result_id)
    return types.InlineQueryResultCachedDocument(file_id, title, id=result_id,
                                                 description=description, **caption)
