"""Bot API errors: the ``{"ok": false, "error_code": N, "description": ...}`` answers, and the
sandbox's MTProto errors (``Fail``) translated the way the Bot API server words them."""

from __future__ import annotations

from typing import Any

from ..errors import Fail


class ApiError(Exception):
    """An error answer of the Bot API; ``parameters`` is its ResponseParameters, if any."""

    def __init__(self, code: int, description: str,
                 parameters: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error_code": self.code,
                               "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


def forbidden(what: str) -> ApiError:
    return ApiError(403, f"Forbidden: {what}")


NOT_FOUND = (404, "Not Found")
UNAUTHORIZED = (401, "Unauthorized")
WEBHOOK_ACTIVE = ("can't use getUpdates method while webhook is active; use deleteWebhook to "
                  "delete the webhook first")
TERMINATED = ("terminated by other getUpdates request; make sure that only one bot instance "
              "is running")
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")

# MTProto error -> the Bot API's answer, for the errors the sandbox's world raises.
_TRANSLATED: dict[str, tuple[int, str]] = {
    "PEER_ID_INVALID": (400, "Bad Request: chat not found"),
    "USER_IS_BLOCKED": (403, "Forbidden: bot was blocked by the user"),
    "INPUT_USER_DEACTIVATED": (403, "Forbidden: user is deactivated"),
    "MESSAGE_EMPTY": (400, "Bad Request: message text is empty"),
    "MESSAGE_TOO_LONG": (400, "Bad Request: message is too long"),
    "MEDIA_CAPTION_TOO_LONG": (400, "Bad Request: message caption is too long"),
    "MESSAGE_NOT_MODIFIED": (400, f"Bad Request: {NOT_MODIFIED}"),
    "REPLY_MESSAGE_ID_INVALID": (400, "Bad Request: message to be replied not found"),
    "QUERY_ID_INVALID": (400, "Bad Request: query is too old and response timeout expired or "
                              "query ID is invalid"),
    "MEDIA_INVALID": (400, "Bad Request: wrong file identifier/HTTP URL specified"),
    "FILE_REFERENCE_EXPIRED": (400, "Bad Request: wrong file identifier/HTTP URL specified"),
    "CHAT_WRITE_FORBIDDEN": (403, "Forbidden: bot is not a member of the channel chat"),
}


def translated(fail: Fail) -> ApiError:
    """The Bot API's answer for an MTProto error of the world."""
    if fail.code == 420 and fail.message.startswith("FLOOD_WAIT_"):
        seconds = int(fail.message.rsplit("_", 1)[1])
        return ApiError(429, f"Too Many Requests: retry after {seconds}",
                        {"retry_after": seconds})
    known = _TRANSLATED.get(fail.message)
    if known is not None:
        return ApiError(*known)
    if fail.code == 403:
        return forbidden(fail.message)
    return ApiError(fail.code if fail.code in (400, 401, 404) else 400,
                    f"Bad Request: {fail.message}")
