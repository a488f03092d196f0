"""What the press and inline-query helpers need of the person acting: a small protocol, so that
they need not import the people API (``people.py``), which imports them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .views import Seen
    from .world import Account, Channel, World


class Actor(Protocol):
    """A person in the sandbox (``people.Person`` is the one there is)."""

    @property
    def id(self) -> int: ...

    @property
    def account(self) -> Account: ...

    @property
    def world(self) -> World: ...

    def _write(self, chat: Account | Channel, **fields: Any) -> Seen:
        """Write a message in ``chat`` as this person, and push it to the bot."""
