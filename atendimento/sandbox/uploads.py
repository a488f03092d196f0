"""Uploads and downloads (telegram.md §7.7): file parts saved over the wire (``media.py`` turns
them into photos and documents), and ``upload.GetFile`` serving the bytes back."""

from __future__ import annotations

from pyrogram import raw

from .errors import Fail
from .media import media_of
from .methods import Call

T = raw.types
F = raw.functions


def save_part(call: Call, q: F.upload.SaveFilePart | F.upload.SaveBigFilePart) -> bool:
    parts = call.world.uploads.setdefault(q.file_id, {})
    parts[q.file_part] = bytes(q.bytes)
    return True


def upload_media(call: Call, q: F.messages.UploadMedia):
    call.world.resolve(q.peer)
    return media_of(call.world, q.media)


def get_file(call: Call, q: F.upload.GetFile):
    world = call.world
    location = q.location
    if not isinstance(location, T.InputPhotoFileLocation | T.InputDocumentFileLocation):
        raise Fail(400, "LOCATION_INVALID")
    found = world.file(location.id, location.access_hash, location.file_reference)
    data = world.file_bytes.get(found.id)
    if data is None:
        # Files people sent have no real content: serve deterministic bytes of their size.
        size = found.size if isinstance(found, T.Document) else found.sizes[-1].size
        data = (found.id.to_bytes(8, "little") * (size // 8 + 1))[:size]
    return T.upload.File(
        type=T.storage.FileUnknown(), mtime=0, bytes=data[q.offset : q.offset + q.limit]
    )


def handlers() -> dict:
    return {
        F.upload.SaveFilePart: save_part,
        F.upload.SaveBigFilePart: save_part,
        F.messages.UploadMedia: upload_media,
        F.upload.GetFile: get_file,
    }
