"""TL framing between the sandbox server and its clients over a local socket (asyncio streams).

A frame is ``length(4, LE) kind(1) ident(8, LE) body``; the body is TL bytes (``obj.write()``).
Strict mode re-serialises every decoded object and demands identical bytes and no leftovers,
so nothing crosses the wire that pyrogram could not have read from Telegram itself.
"""

from __future__ import annotations

import asyncio
import enum
import struct
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pyrogram.raw.core import Bool, Int, Long, TLObject, Vector

HEADER = struct.Struct("<IBQ")
# A generous ceiling: the largest honest frame is a difference with thousands of messages.
MAX_FRAME = 64 * 1024 * 1024


class Kind(enum.IntEnum):
    CALL = 1  # client -> server: a raw function; ident matches the answer
    RESULT = 2  # server -> client: the function's TL result
    ERROR = 3  # server -> client: an RpcError object
    UPDATES = 4  # server -> client: pushed Updates
    PROBE = 5  # server -> client: "tell me when you are idle" (settle)
    IDLE = 6  # client -> server: answer to PROBE, same ident
    HELLO = 7  # client -> server: first frame, ident = the bot's user id


class WireError(Exception):
    """A frame that would not survive Telegram's own serialisation."""


@dataclass(slots=True)
class Frame:
    kind: Kind
    ident: int
    body: bytes = b""


def encode(obj: Any) -> bytes:
    """TL bytes of a result: a TLObject, a bool or a vector, as Telegram would send them."""
    if isinstance(obj, bool):
        return Bool(obj)
    if isinstance(obj, TLObject):
        return obj.write()
    if isinstance(obj, list):
        if all(isinstance(i, TLObject) for i in obj):
            return Vector(obj)
        # Telegram's int vectors are Vector<int> except a few of longs; Int covers ours.
        return Vector(obj, Int)
    raise WireError(f"cannot encode {type(obj).__name__}")


def decode(data: bytes, strict: bool) -> Any:
    """Read one TL value; in strict mode prove it re-serialises to exactly ``data``."""
    stream = BytesIO(data)
    try:
        obj = TLObject.read(stream)
    except Exception as exc:  # any parse failure is a wire bug and must be loud
        raise WireError(f"unreadable TL ({len(data)} bytes): {exc!r}") from exc
    if strict:
        left = stream.read()
        if left:
            raise WireError(f"{len(left)} bytes left over after {type(obj).__name__}")
        if not _rewrites(obj, data):
            raise WireError(f"{type(obj).__name__} does not re-serialise to the same bytes")
    return obj


def decode_call(data: bytes, strict: bool) -> Any:
    """Read a raw function as a server must.

    pyrogram's readers guess the element type of a boxed vector from the bytes left in the
    stream divided by the count, so a trailing Vector<InputMessage> of 8-byte InputMessageID
    items reads back as longs. Telegram's server knows the schema; here a few padding bytes
    defeat the guess, and strict mode proves the result re-serialises exactly.
    """
    last: Exception | None = None
    for pad in (1, 2, 3):
        stream = BytesIO(data + b"\0" * pad)
        try:
            obj = TLObject.read(stream)
            if stream.read() == b"\0" * pad and obj.write() == data:
                return obj
        except Exception as exc:  # a wrong guess fails in many ways; try the next padding
            last = exc
    if strict:
        raise WireError(f"call of {len(data)} bytes does not read back exactly: {last!r}")
    return TLObject.read(BytesIO(data + b"\0"))


def _rewrites(obj: Any, data: bytes) -> bool:
    if isinstance(obj, bool):
        return Bool(obj) == data
    if isinstance(obj, list):
        if all(isinstance(i, TLObject) for i in obj):
            return Vector(obj) == data
        return data in (Vector(obj, Int), Vector(obj, Long))
    return obj.write() == data


async def read_frame(reader: asyncio.StreamReader) -> Frame:
    head = await reader.readexactly(HEADER.size)
    length, kind, ident = HEADER.unpack(head)
    if length > MAX_FRAME:
        raise WireError(f"frame of {length} bytes")
    body = await reader.readexactly(length) if length else b""
    return Frame(Kind(kind), ident, body)


def write_frame(writer: asyncio.StreamWriter, kind: Kind, ident: int, body: bytes = b"") -> None:
    writer.write(HEADER.pack(len(body), kind, ident) + body)
