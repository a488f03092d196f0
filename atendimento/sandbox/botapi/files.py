"""Files the Bot API side sends: multipart uploads made into the world's photos and documents,
or files named by file id (or attach://name); and getFile's file paths."""

from __future__ import annotations

import mimetypes
from typing import Any

from aiohttp.web import FileField
from pyrogram import raw

from ..media import document_media
from ..world import World
from . import objects
from .errors import bad_request
from .inputs import Params

T = raw.types
THUMB = 90  # the side of the small size Telegram makes of every photo
DEFAULT_SIZE = (800, 600)  # a photo whose dimensions the sandbox cannot read


def media(world: World, params: Params, value: Any, kind: str):
    """The MessageMedia for an InputFile or a string (file id or attach://name) of ``kind``
    ("photo", "document", "video" or "audio")."""
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.values.get(value.removeprefix("attach://"))
        if not isinstance(value, FileField):
            raise bad_request("wrong HTTP URL specified")
    if isinstance(value, FileField):
        return _upload(world, value, kind)
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {kind} in the request")
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")  # the sandbox has no internet
    if kind == "photo":
        return T.MessageMediaPhoto(photo=objects.resolve_file(world, value, objects.PHOTO))
    return document_media(objects.resolve_file(world, value, objects.DOCUMENT))


def _upload(world: World, field: FileField, kind: str):
    data = field.file.read()
    if not data:
        raise bad_request("file must be non-empty")
    ident, access_hash, reference = world.new_file_ids()
    if kind == "photo":
        width, height = _png_size(data) or DEFAULT_SIZE
        scale = THUMB / max(width, height, 1)
        photo = T.Photo(
            id=ident, access_hash=access_hash, file_reference=reference, date=world.now(),
            sizes=[T.PhotoSize(type="s", w=max(1, round(width * min(scale, 1))),
                               h=max(1, round(height * min(scale, 1))),
                               size=max(1, len(data) // 10)),
                   T.PhotoSize(type="x", w=width, h=height, size=len(data))],
            dc_id=2)
        world.files[ident], world.file_bytes[ident] = photo, data
        return T.MessageMediaPhoto(photo=photo)
    name = field.filename or "file"
    mime = mimetypes.guess_type(name)[0] or field.content_type or "application/octet-stream"
    attributes: list = [T.DocumentAttributeFilename(file_name=name)]
    if kind == "video":
        attributes.append(T.DocumentAttributeVideo(duration=0, w=0, h=0))
    elif kind == "audio":
        attributes.append(T.DocumentAttributeAudio(duration=0))
    document = T.Document(id=ident, access_hash=access_hash, file_reference=reference,
                          date=world.now(), mime_type=mime, size=len(data), dc_id=2,
                          attributes=attributes)
    world.files[ident], world.file_bytes[ident] = document, data
    return document_media(document)


def _png_size(data: bytes) -> tuple[int, int] | None:
    # A PNG's IHDR chunk is at a fixed place; other formats keep the sandbox's default size.
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def file_info(world: World, value: str) -> dict:
    """getFile: the File object, its file_path naming the file id for the download route."""
    found = _any(world, value)
    folder = "photos" if isinstance(found, T.Photo) else "documents"
    size = found.sizes[-1].size if isinstance(found, T.Photo) else found.size
    kind = objects.PHOTO if isinstance(found, T.Photo) else objects.DOCUMENT
    return {"file_id": value, "file_unique_id": objects.unique_id(found), "file_size": size,
            "file_path": f"{folder}/{objects.file_id(kind, found)}"}


def content(world: World, path: str) -> bytes:
    """The bytes behind a file_path getFile gave (made-up bytes for files people sent)."""
    found = _any(world, path.rpartition("/")[2])
    data = world.file_bytes.get(found.id)
    if data is None:
        size = found.sizes[-1].size if isinstance(found, T.Photo) else found.size
        data = (found.id.to_bytes(8, "little") * (size // 8 + 1))[:size]
    return data


def _any(world: World, value: str):
    return objects.resolve_file(world, value, None)
