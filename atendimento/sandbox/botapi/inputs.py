"""What a Bot API request carries, turned into the world's raw objects: parameters (form,
multipart or JSON), reply markups (inline and reply keyboards, removal, force reply), entities
and formatted text."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.web import FileField
from pyrogram import raw

from ..callbacks import DATA_MAX
from .errors import bad_request
from .formatting import make, parse

T = raw.types


class Params:
    """A request's parameters. Form and multipart values are strings (objects JSON-encoded in
    them, files as FileField); a JSON body has typed values: both are read the same way."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, FileField):
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"field \"{name}\" must be of type Integer") from None

    def float(self, name: str, default: float = 0.0) -> float:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"field \"{name}\" must be of type Number") from None

    def bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def need(self, name: str) -> Any:
        if not self.has(name):
            raise bad_request(f"{name} is empty")
        return self.values[name]


# ----- text ---------------------------------------------------------------------------------
def formatted(params: Params, text_field: str, entities_field: str) -> tuple[str, list]:
    """The text (or caption) and its raw entities: explicit entities win over parse_mode."""
    text = params.str(text_field) or ""
    given = params.json(entities_field)
    if given:
        return text, entities(given)
    return parse(text, params.str("parse_mode"))


def entities(items: list) -> list:
    out = []
    for item in items:
        if not isinstance(item, dict) or "type" not in item:
            raise bad_request("can't parse MessageEntity: object expected")
        extra = {k: v for k, v in item.items() if k not in ("type", "offset", "length")}
        if item["type"] == "text_mention":
            extra["user_id"] = (item.get("user") or {}).get("id", 0)
        out.append(make(item["type"], int(item["offset"]), int(item["length"]), **extra))
    return out


# ----- reply markup -----------------------------------------------------------------------
def reply_markup(value: Any):
    """InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove or ForceReply (JSON)
    as the raw ReplyMarkup; None when absent."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        rows = value["inline_keyboard"]
        return T.ReplyInlineMarkup(rows=[
            T.KeyboardInlineButtonRow(buttons=[_inline_button(b) for b in _row(row)])
            for row in _rows(rows)])
    if "keyboard" in value:
        return T.ReplyKeyboardMarkup(
            rows=[T.KeyboardButtonRow(buttons=[_reply_button(b) for b in _row(row)])
                  for row in _rows(value["keyboard"])],
            resize=value.get("resize_keyboard") or None,
            single_use=value.get("one_time_keyboard") or None,
            selective=value.get("selective") or None,
            persistent=value.get("is_persistent") or None,
            placeholder=value.get("input_field_placeholder"),
        )
    if value.get("remove_keyboard"):
        return T.ReplyKeyboardHide(selective=value.get("selective") or None)
    if value.get("force_reply"):
        return T.ReplyKeyboardForceReply(selective=value.get("selective") or None,
                                         placeholder=value.get("input_field_placeholder"))
    raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(rows: Any) -> list:
    if not isinstance(rows, list):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an "
                          "Array")
    return rows


def _row(row: Any) -> list:
    if not isinstance(row, list):
        raise bad_request("can't parse keyboard row: an Array expected")
    return row


def _style(button: dict):
    style = button.get("style")
    if style not in ("primary", "danger", "success"):
        return None
    return T.KeyboardButtonStyle(**{f"bg_{style}": True})


def _inline_button(button: Any):
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type "
                          "String")
    if "callback_data" in button:
        data = str(button["callback_data"]).encode()
        if not 1 <= len(data) <= DATA_MAX:
            raise bad_request("BUTTON_DATA_INVALID")
        kind = T.InlineButtonTypeCallback(data=data)
    elif "url" in button:
        kind = T.InlineButtonTypeUrl(url=button["url"])
    elif "switch_inline_query" in button:
        kind = T.InlineButtonTypeSwitchInline(query=button["switch_inline_query"])
    elif "switch_inline_query_current_chat" in button:
        kind = T.InlineButtonTypeSwitchInline(query=button["switch_inline_query_current_chat"],
                                              same_peer=True)
    elif "copy_text" in button:
        kind = T.InlineButtonTypeCopy(copy_text=(button["copy_text"] or {}).get("text", ""))
    else:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in "
                          "the inline keyboard")
    return T.KeyboardInlineButton(text=button["text"], type=kind, style=_style(button))


def _reply_button(button: Any):
    if isinstance(button, str):
        return T.KeyboardButton(text=button, type=T.ButtonTypeDefault())
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")
    kind: Any = T.ButtonTypeDefault()
    if button.get("request_contact"):
        kind = T.ButtonTypeRequestPhone()
    elif button.get("request_location"):
        kind = T.ButtonTypeRequestGeoLocation()
    return T.KeyboardButton(text=button["text"], type=kind, style=_style(button))


def reply_to(params: Params) -> tuple[int | None, bool]:
    """(the message id replied to, whether sending goes on when it is missing), from
    reply_parameters or the older reply_to_message_id / allow_sending_without_reply."""
    given = params.json("reply_parameters")
    if isinstance(given, dict):
        return (int(given["message_id"]) if given.get("message_id") else None,
                bool(given.get("allow_sending_without_reply")))
    return params.int("reply_to_message_id"), params.bool("allow_sending_without_reply")
