"""Files people send: photos and documents with ids, access hashes and file references, kept in
the world so the bot can later send them again by file id (telegram.md §3.1)."""

from __future__ import annotations

from pyrogram import raw

from .world import World

T = raw.types


def photo(world: World) -> raw.types.MessageMediaPhoto:
    ident, access_hash, reference = world.new_file_ids()
    made = T.Photo(
        id=ident,
        access_hash=access_hash,
        file_reference=reference,
        date=world.now(),
        sizes=[T.PhotoSize(type="x", w=800, h=600, size=51_200)],
        dc_id=2,
    )
    world.files[ident] = made
    return T.MessageMediaPhoto(photo=made)


def document(
    world: World,
    kind: str,
    *,
    file_name: str | None = None,
    duration: float = 3,
    emoji: str = "🙂",
    title: str | None = None,
    performer: str | None = None,
) -> raw.types.MessageMediaDocument:
    """A document of one of the kinds people send: document, video, voice, video_note, audio,
    sticker, animation."""
    attributes: list = []
    mime = "application/octet-stream"
    media_flags: dict = {}
    if kind == "document":
        mime = "application/pdf"
        attributes.append(T.DocumentAttributeFilename(file_name=file_name or "file.pdf"))
    elif kind == "video":
        mime = "video/mp4"
        attributes += [
            T.DocumentAttributeVideo(duration=duration, w=640, h=360, supports_streaming=True),
            T.DocumentAttributeFilename(file_name=file_name or "video.mp4"),
        ]
        media_flags["video"] = True
    elif kind == "video_note":
        mime = "video/mp4"
        attributes.append(
            T.DocumentAttributeVideo(duration=duration, w=240, h=240, round_message=True)
        )
        media_flags["round"] = True
    elif kind == "voice":
        mime = "audio/ogg"
        attributes.append(T.DocumentAttributeAudio(duration=int(duration), voice=True))
        media_flags["voice"] = True
    elif kind == "audio":
        mime = "audio/mpeg"
        attributes += [
            T.DocumentAttributeAudio(
                duration=int(duration), title=title or "Song", performer=performer or "Band"
            ),
            T.DocumentAttributeFilename(file_name=file_name or "song.mp3"),
        ]
    elif kind == "sticker":
        mime = "image/webp"
        attributes += [
            T.DocumentAttributeImageSize(w=512, h=512),
            T.DocumentAttributeSticker(alt=emoji, stickerset=T.InputStickerSetEmpty()),
        ]
    elif kind == "animation":
        mime = "video/mp4"
        attributes += [
            T.DocumentAttributeVideo(duration=duration, w=320, h=240),
            T.DocumentAttributeAnimated(),
            T.DocumentAttributeFilename(file_name=file_name or "animation.mp4"),
        ]
    else:
        raise ValueError(f"unknown document kind {kind!r}")
    ident, access_hash, reference = world.new_file_ids()
    made = T.Document(
        id=ident,
        access_hash=access_hash,
        file_reference=reference,
        date=world.now(),
        mime_type=mime,
        size=10_240,
        dc_id=2,
        attributes=attributes,
    )
    world.files[ident] = made
    return T.MessageMediaDocument(document=made, **media_flags)


def contact(phone: str, first_name: str, last_name: str = "", user_id: int = 0):
    return T.MessageMediaContact(
        phone_number=phone, first_name=first_name, last_name=last_name, vcard="", user_id=user_id
    )


def location(lat: float, long: float):
    return T.MessageMediaGeo(geo=T.GeoPoint(long=long, lat=lat, access_hash=0))


def live_location(lat: float, long: float, period: int, heading: int | None = None):
    """A location shared live for ``period`` seconds (60 to 86400), updated by edits."""
    return T.MessageMediaGeoLive(geo=T.GeoPoint(long=long, lat=lat, access_hash=0),
                                 period=period, heading=heading)


def venue(lat: float, long: float, title: str, address: str):
    return T.MessageMediaVenue(
        geo=T.GeoPoint(long=long, lat=lat, access_hash=0),
        title=title,
        address=address,
        provider="",
        venue_id="",
        venue_type="",
    )


# Kinds whose messages carry a caption; the others (stickers, video notes, contacts, places,
# dice) have none on Telegram.
CAPTIONED = frozenset({"photo", "document", "video", "voice", "audio", "animation"})
KINDS = ("photo", "document", "video", "voice", "video_note", "audio", "sticker", "animation",
         "contact", "location", "venue", "dice")


def media(world: World, kind: str):
    """The media of a new message of ``kind`` (one of KINDS) with made-up content."""
    if kind == "photo":
        return photo(world)
    if kind == "contact":
        return contact("+5511999990000", "Contato", "Exemplo")
    if kind == "location":
        return location(-23.55, -46.63)
    if kind == "venue":
        return venue(-23.56, -46.65, "Loja Centro", "Av. Paulista, 1000")
    if kind == "dice":
        return T.MessageMediaDice(value=world.random.randint(1, 6), emoticon="🎲")
    return document(world, kind)


def album_group(media) -> str | None:
    """Which album a medium may join: photos and videos together ("visual"), documents with
    documents, audio with audio; None for what no album takes (voice, round videos,
    stickers, GIFs, contacts...). Telegram refuses an album mixing them."""
    if isinstance(media, T.MessageMediaPhoto):
        return "visual"
    if not isinstance(media, T.MessageMediaDocument) or media.document is None:
        return None
    attributes = media.document.attributes
    if any(isinstance(a, T.DocumentAttributeSticker | T.DocumentAttributeAnimated)
           for a in attributes):
        return None
    video = next((a for a in attributes if isinstance(a, T.DocumentAttributeVideo)), None)
    if video is not None:
        return None if video.round_message else "visual"
    audio = next((a for a in attributes if isinstance(a, T.DocumentAttributeAudio)), None)
    if audio is not None:
        return None if audio.voice else "audio"
    return "document"


def album_problem(medias) -> str | None:
    """Why these media cannot be one album, or None when they can."""
    groups = {album_group(m) for m in medias}
    if None in groups:
        return "a voice message, round video, sticker, GIF or non-file cannot be in an album"
    if len(groups) > 1:
        return "documents and audio only go in albums of their own kind"
    return None
