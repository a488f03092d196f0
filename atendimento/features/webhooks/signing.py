"""Webhook signatures: `X-Atendimento-Signature: t=<unix seconds>,v1=<hex>`, where v1 is the
HMAC-SHA256, keyed with WEBHOOK_SECRET, of `<t>.` followed by the raw body. The timestamp is
signed too, so a receiver that refuses old ones (REPLAY_WINDOW) cannot be fed a replay."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE = "X-Atendimento-Signature"
EVENT_ID = "X-Atendimento-Event-Id"
EVENT_TYPE = "X-Atendimento-Event"
REPLAY_WINDOW = 300  # seconds either side of the receiver's clock


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                    hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={_digest(secret, body, timestamp)}"


def verify(secret: str, body: bytes, header: str, now: float,
           window: float = REPLAY_WINDOW) -> bool:
    """What a receiver does: the header well formed, its time within `window` of `now`, and
    the signature the one `secret` makes over these exact bytes."""
    fields: dict[str, str] = {}
    for part in header.split(","):
        name, equals, value = part.strip().partition("=")
        if not equals or name in fields:
            return False
        fields[name] = value
    stamp, given = fields.get("t", ""), fields.get("v1", "")
    # ASCII only: str.isdigit() also takes "²" and "٣", and compare_digest raises on non-ASCII
    # text rather than saying no.
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        return False
    if not given or not given.isascii() or abs(now - int(stamp)) > window:
        return False
    return hmac.compare_digest(_digest(secret, body, int(stamp)).encode(), given.encode())
