"""Log lines: one line each, with time, level and component; secrets never printed."""

from __future__ import annotations

import io
import logging
import re

import pytest

from atendimento.logs import setup_logging


@pytest.fixture
def stream():
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    yield buffer
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_one_line_with_level_and_component(stream):
    setup_logging("INFO", stream=stream)
    logging.getLogger("atendimento.storage").info("migrated to %d", 3)
    logging.getLogger("atendimento.storage").debug("not shown at INFO")
    line = stream.getvalue()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO    storage: migrated to 3\n", line)


def test_secrets_are_redacted_in_messages_and_tracebacks(stream):
    token = "123456789:AAEhBP0av28ZnLgTZKrUoVQ7kjQ8z1ZHk0s"
    setup_logging("DEBUG", secrets=[token], stream=stream)
    log = logging.getLogger("pyrogram.session")
    log.warning("connecting with %s", token)
    try:
        raise RuntimeError(f"bad token {token}")
    except RuntimeError:
        log.exception("failed")
    text = stream.getvalue()
    assert token not in text
    assert "connecting with ***" in text and "bad token ***" in text


def test_third_party_noise_is_kept_at_warning(stream):
    setup_logging("INFO", stream=stream)
    logging.getLogger("pyrogram.dispatcher").info("chatty")
    logging.getLogger("pyrogram.dispatcher").warning("worth seeing")
    assert "chatty" not in stream.getvalue() and "worth seeing" in stream.getvalue()


def test_a_secret_inside_another_does_not_leave_the_longer_one_half_shown():
    from atendimento.logs import redact

    assert redact("pw=abc123 and abc", ["abc", "abc123"]) == "pw=*** and ***"
    assert redact("nothing here", ["", "x" * 40]) == "nothing here"
