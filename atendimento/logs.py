"""Logging set-up: one readable line per record, with level and component, secrets redacted."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

FORMAT = "%(asctime)s %(levelname)-7s %(component)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value replaced by ***, for what is printed rather than logged."""
    for secret in sorted(filter(None, secrets), key=len, reverse=True):  # a secret inside
        text = text.replace(secret, "***")  # another must not leave the longer one half shown
    return text


class ComponentFilter(logging.Filter):
    """Names the component (the logger name without the package prefix) and hides secrets."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        record.component = record.name.removeprefix("atendimento.")
        if self.secrets:
            message = record.getMessage()
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text, self.secrets)
            record.msg, record.args = redact(message, self.secrets), None
        return True


def setup_logging(level: str = "INFO", secrets: Iterable[str] = (), stream=None) -> None:
    """Route every logger (ours and pyrogram's) to one handler with the one-line format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
    handler.addFilter(ComponentFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # pyrogram is chatty at INFO about sessions; keep its noise at WARNING unless debugging.
    logging.getLogger("pyrogram").setLevel(level if level == "DEBUG" else "WARNING")
    logging.getLogger("apscheduler").setLevel(level if level == "DEBUG" else "WARNING")
