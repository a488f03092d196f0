"""Uploads and downloads (telegram.md §7.7): file parts saved over the wire, uploaded media
turned into photos and documents, and ``upload.GetFile`` serving the bytes back."""

from __future__ import annotations

from pyrogram import raw

from .errors import Fail
from .methods import Call, document_media
from .world import World

T = raw.types
F = raw.functions


def save_part(call: Call, q: F.upload.SaveFilePart | F.upload.SaveBigFilePart) -> bool:
    parts = call.world.uploads.setdefault(q.file_id, {})
    parts[q.file_part] = bytes(q.bytes)
    return True


def _assemble(world: World, file) -> bytes:
    parts = world.uploads.pop(file.id, None)
    if not parts or sorted(parts) != list(range(file.parts)):
        raise Fail(400, "FILE_PARTS_INVALID")
    return b"".join(parts[i] for i in range(file.parts))


def uploaded(world: World, media):
    """The MessageMedia for an InputMediaUploaded*, or None for any other input media."""
    if isinstance(media, T.InputMediaUploadedPhoto):
        data = _assemble(world, media.file)
        ident, access_hash, reference = world.new_file_ids()
        photo = T.Photo(
            id=ident,
            access_hash=access_hash,
            file_reference=reference,
            date=world.now(),
            sizes=[T.PhotoSize(type="x", w=800, h=600, size=len(data))],
            dc_id=2,
        )
        world.files[ident], world.file_bytes[ident] = photo, data
        return T.MessageMediaPhoto(photo=photo)
    if isinstance(media, T.InputMediaUploadedDocument):
        data = _assemble(world, media.file)
        ident, access_hash, reference = world.new_file_ids()
        attributes = list(media.attributes)
        if not any(isinstance(a, T.DocumentAttributeFilename) for a in attributes):
            attributes.append(T.DocumentAttributeFilename(file_name=media.file.name))
        document = T.Document(
            id=ident,
            access_hash=access_hash,
            file_reference=reference,
            date=world.now(),
            mime_type=media.mime_type,
            size=len(data),
            dc_id=2,
            attributes=attributes,
        )
        world.files[ident], world.file_bytes[ident] = document, data
        return document_media(document)
    return None


def upload_media(call: Call, q: F.messages.UploadMedia):
    from .methods import media_of

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
