"""RPC errors as the sandbox raises them; they cross the wire as ``RpcError`` objects."""

from __future__ import annotations

from pyrogram import raw


class Fail(Exception):
    """An RPC error Telegram would answer with (code and message as in telegram.md §6)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message

    def raw(self) -> raw.types.RpcError:
        return raw.types.RpcError(error_code=self.code, error_message=self.message)


def flood_wait(seconds: int) -> Fail:
    return Fail(420, f"FLOOD_WAIT_{seconds}")


def not_implemented(name: str) -> Fail:
    # METHOD_INVALID is in kurigram's table (no unknown_errors.txt line), and kurigram appends
    # the function's name to the message: 'caused by "messages.GetReplies"'.
    return Fail(400, "METHOD_INVALID")
