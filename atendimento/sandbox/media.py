"""What the media a bot sends becomes in the chat: its InputMedia (a file by id, a contact, a
place, a poll, or an upload whose parts came over the wire) as the stored MessageMedia."""

from __future__ import annotations

from pyrogram import raw

from . import polls
from .errors import Fail
from .world import World

T = raw.types
LIVE_FOREVER = 0x7FFFFFFF  # a live location shared until stopped


def media_of(world: World, media):
    """Turn the bot's InputMedia into the MessageMedia stored in the chat."""
    if isinstance(media, T.InputMediaPhoto) and isinstance(media.id, T.InputPhoto):
        photo = world.file(media.id.id, media.id.access_hash, media.id.file_reference)
        return T.MessageMediaPhoto(photo=photo)
    if isinstance(media, T.InputMediaDocument) and isinstance(media.id, T.InputDocument):
        doc = world.file(media.id.id, media.id.access_hash, media.id.file_reference)
        return document_media(doc)
    if isinstance(media, T.InputMediaContact):
        return T.MessageMediaContact(
            phone_number=media.phone_number,
            first_name=media.first_name,
            last_name=media.last_name,
            vcard=media.vcard,
            user_id=0,
        )
    if isinstance(media, T.InputMediaGeoPoint):
        return T.MessageMediaGeo(geo=geo(media.geo_point))
    if isinstance(media, T.InputMediaGeoLive):
        if media.period is None or not (60 <= media.period <= 86400
                                        or media.period == LIVE_FOREVER):
            raise Fail(400, "PERIOD_INVALID")  # the error's name is not confirmed
        return T.MessageMediaGeoLive(geo=geo(media.geo_point), period=media.period,
                                     heading=media.heading,
                                     proximity_notification_radius=(
                                         media.proximity_notification_radius))
    if isinstance(media, T.InputMediaVenue):
        return T.MessageMediaVenue(
            geo=geo(media.geo_point),
            title=media.title,
            address=media.address,
            provider=media.provider,
            venue_id=media.venue_id,
            venue_type=media.venue_type,
        )
    if isinstance(media, T.InputMediaPoll):
        return polls.from_input(world, media)
    made = uploaded(world, media)
    if made is None:
        raise Fail(400, "MEDIA_INVALID")
    return made


def geo(point) -> raw.types.GeoPoint:
    return T.GeoPoint(long=point.long, lat=point.lat, access_hash=0)


def document_media(doc) -> raw.types.MessageMediaDocument:
    kinds = {type(a): a for a in doc.attributes}
    audio = kinds.get(T.DocumentAttributeAudio)
    video = kinds.get(T.DocumentAttributeVideo)
    return T.MessageMediaDocument(
        document=doc,
        voice=bool(audio and audio.voice) or None,
        round=bool(video and video.round_message) or None,
        video=bool(video and not video.round_message and T.DocumentAttributeAnimated not in kinds)
        or None,
    )


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
