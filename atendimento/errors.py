"""Errors that stop the desk at start-up with a message for the self-hoster, not a traceback."""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_MISCONFIGURED = 2


class StartupError(Exception):
    """The desk cannot start; the message says what is wrong and how to fix it."""

    def __init__(self, message: str, exit_status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_status = exit_status
