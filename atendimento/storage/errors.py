"""Exceptions raised by the storage layer; callers never see peewee's own exception types."""

from __future__ import annotations


class StorageError(Exception):
    """Anything the storage layer cannot do: bad URL, missing driver, unreachable server."""


class ConflictError(StorageError):
    """A write would break a uniqueness rule (a second thread for a client, a duplicate link)."""


class DuplicateLinkError(ConflictError):
    """The message on one side of a link is already linked."""


class NotFoundError(StorageError):
    """The row an update refers to does not exist."""
