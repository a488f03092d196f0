"""Start-up failures as the self-hoster meets them: `atendimento run` and `atendimento check`
end with one paragraph saying what happened and what to do, exit status 2 (check: non-zero),
no traceback unless LOG_LEVEL=DEBUG, and never a secret.

Only 127.0.0.1 is ever dialled: the real-network cases go through a proxy on a closed local
port, or a stored session pointing at one; the others make pyrogram's own calls raise.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from pathlib import Path
from types import SimpleNamespace

import pyrogram
import pytest
from pyrogram import errors
from python_socks import ProxyError

import atendimento.telegram.client as telegram_client
from atendimento.cli import main
from atendimento.config import load_config
from atendimento.startup import Unreachable, describe, telegram_id

from .test_config import HASH, TOKEN, VALID

PROXY_PASSWORD = "pr0xy-s3cret"
SECRETS = (TOKEN, HASH, PROXY_PASSWORD)
TEXTS = Path(__file__).parents[2] / "respostas"
CHANNEL_ID = VALID["CHANNEL"]


@pytest.fixture(autouse=True)
def logging_restored():
    """`main` sets up the root logger; leave it as it was for the other tests."""
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in ("pyrogram", "apscheduler")}
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def desk(monkeypatch, tmp_path):
    """A valid-looking configuration in the environment, in an empty working directory."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "LOG_LEVEL", "PROXY", "LANGUAGE", "TEXTS_DIR", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**VALID, "DATA_DIR": str(tmp_path / "data"),
                        "TEXTS_DIR": str(TEXTS)}.items():
        monkeypatch.setenv(name, value)
    return tmp_path


class _NoWait:
    """pyrogram's `asyncio` with sleeps that return at once: its retries cost nothing."""

    def __getattr__(self, name):
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(_delay, result=None):
        await asyncio.sleep(0)
        return result


@pytest.fixture
def no_waits(monkeypatch):
    for module in ("pyrogram.connection.connection", "pyrogram.session.auth",
                   "pyrogram.session.session"):
        monkeypatch.setattr(f"{module}.asyncio", _NoWait())


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(capsys, *args: str) -> tuple[int, str]:
    status = main(["--env-file", os.devnull, *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def assert_clean(output: str) -> None:
    assert "Traceback" not in output
    for secret in SECRETS:
        assert secret not in output


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if " ERROR " in line]
    assert len(lines) == 1, output
    (line,) = lines
    return line


# --- the real network: a proxy nobody listens on ----------------------------------------------

@pytest.mark.usefixtures("no_waits")
def test_unreachable_proxy_stops_run_with_the_reason(desk, monkeypatch, capsys):
    port = closed_port()
    monkeypatch.setenv("PROXY", f"socks5://desk:{PROXY_PASSWORD}@127.0.0.1:{port}")
    status, output = run(capsys, "run")
    assert status == 2
    line = one_error_line(output)
    assert f"Cannot reach Telegram through the proxy socks5://desk@127.0.0.1:{port} " in line
    assert "(ProxyConnectionError: [Errno 111] Could not connect to proxy" in line
    assert "host, port, user and password in PROXY" in line
    assert_clean(output)


@pytest.mark.usefixtures("no_waits")
def test_at_debug_the_traceback_is_shown_and_secrets_still_hidden(desk, monkeypatch, capsys):
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("PROXY", f"socks5://desk:{PROXY_PASSWORD}@127.0.0.1:{closed_port()}")
    status, output = run(capsys, "run")
    assert status == 2
    assert "Traceback" in output and "Cannot reach Telegram through the proxy" in output
    assert "password='***'" in output  # pyrogram logs its proxy settings at DEBUG
    for secret in SECRETS:
        assert secret not in output


def test_stored_session_without_network_gives_up_after_the_connect_timeout(desk, monkeypatch,
                                                                           capsys):
    # pyrogram's own pause between attempts is kept: the first attempt fails at once and the
    # connect timeout ends the start-up during the pause.
    port = closed_port()

    async def stored_session() -> None:  # what an earlier run leaves, for a server at `port`
        client = pyrogram.Client("atendimento", api_id=1, api_hash=HASH,
                                 workdir=str(desk / "data"))
        storage = client.storage
        await storage.open()
        for name, value in (("api_id", 1), ("dc_id", 2), ("test_mode", False), ("date", 0),
                            ("server_address", "127.0.0.1"), ("port", port),
                            ("auth_key", bytes(256)), ("user_id", 42), ("is_bot", True)):
            await getattr(storage, name)(value)
        await storage.save()
        await storage.close()

    (desk / "data").mkdir()
    asyncio.run(stored_session())
    monkeypatch.setattr(telegram_client, "CONNECT_TIMEOUT", 0.3)
    status, output = run(capsys, "run")
    assert status == 2
    line = one_error_line(output)
    assert "Cannot reach Telegram (TimeoutError: no connection after 0.3 seconds, the last " \
           f"error being ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', " \
           f"{port}))" in line
    assert "set PROXY" in line
    assert_clean(output)


@pytest.mark.usefixtures("no_waits")
def test_check_names_the_proxy_and_that_it_failed(desk, monkeypatch, capsys):
    port = closed_port()
    monkeypatch.setenv("PROXY", f"socks5://desk:{PROXY_PASSWORD}@127.0.0.1:{port}")
    status, output = run(capsys, "check")
    assert status == 1
    assert f"✗ proxy socks5://desk@127.0.0.1:{port}: ProxyConnectionError" in output
    assert "fix: Check that the proxy is running" in output
    assert_clean(output)


# --- Telegram says no, or the network fails: pyrogram's calls raise ---------------------------

def _raises(error: BaseException):
    async def start(self, *args, **kwargs):
        raise error
    return start


async def _logged_in(self, *args, **kwargs):
    self.me = SimpleNamespace(id=42, username="deskbot", inline_query_placeholder="Search")
    return self


LOGIN_FAILURES = [
    (errors.AccessTokenInvalid(), "Telegram refused BOT_TOKEN (ACCESS_TOKEN_INVALID). The token "
     "is wrong or was revoked: get the bot's current token from @BotFather"),
    (errors.AccessTokenExpired(), "Telegram refused BOT_TOKEN (ACCESS_TOKEN_EXPIRED)"),
    (errors.AuthKeyUnregistered(), "Telegram no longer accepts the bot's saved session "
     "(AUTH_KEY_UNREGISTERED)"),
    (errors.SessionRevoked(), "saved session (SESSION_REVOKED). Its token was probably "
     "revoked in @BotFather"),
    (errors.UserDeactivated(), "the bot's account was deleted or banned (USER_DEACTIVATED)"),
    (errors.AuthKeyDuplicated(), "used by two programs at once: run one desk per DATA_DIR"),
    (errors.ApiIdInvalid(), "Telegram refused API_ID and API_HASH (API_ID_INVALID). They are "
     "not a pair Telegram knows: copy both again from https://my.telegram.org"),
    (errors.ApiIdPublishedFlood(), "limits this API_ID because it was published "
     "(API_ID_PUBLISHED_FLOOD). Create your own app"),
    (errors.FloodWait(value=420), "Telegram asks the bot to wait 7 minutes before logging in "
     "again (FLOOD_WAIT_420)"),
    (errors.InternalServerError("RPC_CALL_FAIL"), "Telegram's servers failed to answer"),
    (errors.BotMethodInvalid(), "Telegram refused the bot's log-in (BOT_METHOD_INVALID: The "
     "specified method cannot be used by bots). Check API_ID, API_HASH and BOT_TOKEN"),
    (OSError(101, "Network is unreachable"),
     "Cannot reach Telegram (OSError: [Errno 101] Network is unreachable). Check this "
     "machine's internet connection"),
    (ConnectionRefusedError(111, "Connection refused"),
     "Cannot reach Telegram (ConnectionRefusedError: [Errno 111] Connection refused)"),
    (socket.gaierror(-2, "Name or service not known"),
     "Cannot reach Telegram (gaierror: [Errno -2] Name or service not known)"),
    (TimeoutError(), "Cannot reach Telegram (TimeoutError: no answer in time)"),
    (ConnectionError(), "Cannot reach Telegram (ConnectionError: no connection could be made)"),
    (Exception(), "The desk could not start: something unexpected happened while connecting "
     "to Telegram (Exception: no details). Run it again with LOG_LEVEL=DEBUG"),
    (KeyError(0), "while connecting to Telegram (KeyError: 0)"),
    (RuntimeError(f"refused {TOKEN} with {HASH}"), "(RuntimeError: refused *** with ***)"),
]


@pytest.mark.parametrize("error, expected", LOGIN_FAILURES,
                         ids=[describe(e).split(":")[0] + "-" + (telegram_id(e) or str(i))
                              for i, (e, _) in enumerate(LOGIN_FAILURES)])
def test_each_login_failure_is_explained(desk, monkeypatch, capsys, error, expected):
    monkeypatch.setattr(pyrogram.Client, "start", _raises(error))
    status, output = run(capsys, "run")
    assert status == 2
    assert expected in one_error_line(output)
    assert_clean(output)


PROXY_FAILURES = [
    (ProxyError("Connection not allowed by ruleset"), "The proxy socks5://desk@127.0.0.1:1080 "
     "would not connect the desk to Telegram (ProxyError: Connection not allowed by ruleset)"),
    (socket.gaierror(-2, "Name or service not known"), "Cannot reach Telegram through the "
     "proxy socks5://desk@127.0.0.1:1080 (gaierror: [Errno -2] Name or service not known)"),
    (TimeoutError(), "through the proxy socks5://desk@127.0.0.1:1080 (TimeoutError: no answer"),
    (errors.AccessTokenInvalid(), "Telegram refused BOT_TOKEN (ACCESS_TOKEN_INVALID)"),
]


@pytest.mark.parametrize("error, expected", PROXY_FAILURES,
                         ids=["refused", "dns", "timeout", "answered"])
def test_failures_through_a_proxy_name_it(desk, monkeypatch, capsys, error, expected):
    monkeypatch.setenv("PROXY", f"socks5://desk:{PROXY_PASSWORD}@127.0.0.1:1080")
    monkeypatch.setattr(pyrogram.Client, "start", _raises(error))
    status, output = run(capsys, "run")
    assert status == 2
    assert expected in one_error_line(output)
    assert_clean(output)


CHANNEL_FAILURES = [
    (errors.ChannelInvalid(), f"The bot cannot open the team channel {CHANNEL_ID} "
     "(CHANNEL_INVALID). Either CHANNEL is wrong or the bot was never added"),
    (errors.ChannelPrivate(), f"The bot is not in the team channel {CHANNEL_ID} "
     "(CHANNEL_PRIVATE). Add the bot to the channel as an administrator"),
    (errors.PeerIdInvalid(), "cannot open the team channel -1001234567890 (PEER_ID_INVALID)"),
    (KeyError(f"ID not found: {CHANNEL_ID}"), "cannot open the team channel -1001234567890 "
     "(KeyError: 'ID not found: -1001234567890')"),
    (errors.FloodWait(value=30), "wait 30 seconds before opening the channel again"),
    (ConnectionResetError(), "Cannot reach Telegram (ConnectionResetError: the connection "
     "was cut)"),
    (Exception(), "something unexpected happened while opening the team channel "
     "-1001234567890 (Exception: no details)"),
]


@pytest.mark.parametrize("error, expected", CHANNEL_FAILURES,
                         ids=[describe(e).split(":")[0] + "-" + (telegram_id(e) or str(i))
                              for i, (e, _) in enumerate(CHANNEL_FAILURES)])
def test_each_channel_failure_is_explained(desk, monkeypatch, capsys, error, expected):
    monkeypatch.setattr(pyrogram.Client, "start", _logged_in)
    monkeypatch.setattr(pyrogram.Client, "get_chat", _raises(error))
    status, output = run(capsys, "run")
    assert status == 2
    assert expected in one_error_line(output)
    assert_clean(output)


@pytest.mark.parametrize("error", [errors.UsernameNotOccupied(), errors.UsernameInvalid()])
def test_a_channel_username_nobody_has(desk, monkeypatch, capsys, error):
    monkeypatch.setenv("CHANNEL", "@nosuchdesk")
    monkeypatch.setattr(pyrogram.Client, "start", _logged_in)
    monkeypatch.setattr(pyrogram.Client, "get_chat", _raises(error))
    status, output = run(capsys, "run")
    assert status == 2
    assert f"There is no channel @nosuchdesk ({error.ID}). Set CHANNEL" in output
    assert_clean(output)


def test_an_unexpected_error_elsewhere_in_the_start(desk, monkeypatch, capsys):
    def broken(*_args, **_kwargs):
        raise RuntimeError(f"cannot wire {TOKEN}")

    monkeypatch.setattr("atendimento.app.Gateway", broken)
    status, output = run(capsys, "run")
    assert status == 2
    assert ("The desk could not start: something unexpected happened while starting the desk "
            "(RuntimeError: cannot wire ***)") in one_error_line(output)
    assert_clean(output)


def test_debug_shows_the_traceback_of_a_refusal(desk, monkeypatch, capsys):
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setattr(pyrogram.Client, "start", _raises(errors.AccessTokenInvalid()))
    status, output = run(capsys, "run")
    assert status == 2
    assert "Traceback" in output and "pyrogram.errors.exceptions" in output
    assert "Telegram refused BOT_TOKEN (ACCESS_TOKEN_INVALID)" in output


# --- atendimento check on the same failures ----------------------------------------------------

@pytest.mark.parametrize("error, expected", [
    (errors.AccessTokenInvalid(), "✗ connect to Telegram: Telegram refused BOT_TOKEN "
     "(ACCESS_TOKEN_INVALID)\n    fix: The token is wrong or was revoked"),
    (errors.AuthKeyUnregistered(), "✗ connect to Telegram: Telegram no longer accepts the "
     "bot's log-in (AUTH_KEY_UNREGISTERED)"),
    (errors.ApiIdInvalid(), "✗ connect to Telegram: Telegram refused API_ID and API_HASH"),
    (errors.FloodWait(value=5), "✗ connect to Telegram: Telegram asks the bot to wait 5 "
     "seconds"),
    (OSError(101, "Network is unreachable"), "✗ connect to Telegram: Cannot reach Telegram "
     "(OSError: [Errno 101] Network is unreachable)"),
    (ConnectionError(), "(ConnectionError: no connection could be made)"),
    (Exception(), "✗ connect to Telegram: The desk could not start: something unexpected"),
], ids=["token", "session", "api-id", "flood", "network", "silent", "unexpected"])
def test_check_reports_a_failed_connection_on_one_line(desk, monkeypatch, capsys, error,
                                                       expected):
    monkeypatch.setattr(pyrogram.Client, "start", _raises(error))
    status, output = run(capsys, "check")
    assert status == 1
    assert expected in output
    assert output.count("connect to Telegram") == 1
    assert_clean(output)


def test_check_says_the_proxy_worked_when_telegram_answered(desk, monkeypatch, capsys):
    monkeypatch.setenv("PROXY", f"http://desk:{PROXY_PASSWORD}@127.0.0.1:3128")
    monkeypatch.setattr(pyrogram.Client, "start", _raises(errors.AccessTokenInvalid()))
    status, output = run(capsys, "check")
    assert status == 1
    assert "✓ proxy http://desk@127.0.0.1:3128: Telegram answered through it" in output
    assert "✗ connect to Telegram: Telegram refused BOT_TOKEN" in output
    assert_clean(output)


def test_check_survives_a_channel_it_cannot_open(desk, monkeypatch, capsys):
    monkeypatch.setattr(pyrogram.Client, "start", _logged_in)
    monkeypatch.setattr(pyrogram.Client, "get_chat", _raises(errors.ChannelPrivate()))
    status, output = run(capsys, "check")
    assert status == 1
    assert "✓ connect to Telegram: as @deskbot" in output
    assert f"✗ channel {CHANNEL_ID}: ChannelPrivate" in output
    assert_clean(output)


def test_check_survives_the_network_going_away_half_way(desk, monkeypatch, capsys):
    monkeypatch.setattr(pyrogram.Client, "start", _logged_in)
    monkeypatch.setattr(pyrogram.Client, "get_chat", _raises(ConnectionResetError()))
    status, output = run(capsys, "check")
    assert status == 1
    assert "✗ talk to Telegram: ConnectionResetError: the connection was cut" in output
    assert_clean(output)


def test_check_that_crashes_ends_with_one_line_and_status_2(desk, monkeypatch, capsys):
    def broken(_config):
        raise RuntimeError(f"texts gone with {HASH}")

    monkeypatch.setattr("atendimento.telegram.check.check_texts", broken)
    status, output = run(capsys, "check")
    assert status == 2
    assert ("something unexpected happened while checking the set-up (RuntimeError: texts gone "
            "with ***)") in one_error_line(output)
    assert_clean(output)


# --- the pieces ---------------------------------------------------------------------------------

async def test_start_client_gives_up_when_no_session_comes_up(monkeypatch):
    monkeypatch.setattr(telegram_client, "CONNECT_TIMEOUT", 0.05)
    cancelled = asyncio.Event()

    class Hanging:
        session = SimpleNamespace(is_started=asyncio.Event())
        is_connected = False

        async def start(self):
            try:
                await asyncio.Event().wait()
            finally:
                cancelled.set()

    with pytest.raises(Unreachable) as caught:
        await telegram_client.start_client(Hanging())
    assert str(caught.value) == "TimeoutError: no connection after 0.05 seconds"
    assert cancelled.is_set()


async def test_start_client_names_the_error_pyrogram_only_logged():
    class Failing:
        session = None
        is_connected = False

        async def start(self):
            logging.getLogger("pyrogram.connection.connection").warning(
                "Unable to connect due to network issues: %s",
                ConnectionRefusedError(111, "Connect call failed"))
            raise ConnectionError

    with pytest.raises(Unreachable) as caught:
        await telegram_client.start_client(Failing())
    assert describe(caught.value) == "ConnectionRefusedError: [Errno 111] Connect call failed"


def test_describe_never_comes_back_empty():
    assert describe(ConnectionError()) == "ConnectionError: no connection could be made"
    assert describe(ValueError()) == "ValueError: no details"
    assert describe(OSError("no route")) == "OSError: no route"
    assert telegram_id(errors.FloodWait(value=12)) == "FLOOD_WAIT_12"
    assert telegram_id(OSError()) is None


# --- PROXY handed to pyrogram ------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("socks5://desk:pr0xy-s3cret@127.0.0.1:1080",
     {"scheme": "socks5", "hostname": "127.0.0.1", "port": 1080, "username": "desk",
      "password": PROXY_PASSWORD}),
    ("socks4://desk@127.0.0.1:1080",
     {"scheme": "socks4", "hostname": "127.0.0.1", "port": 1080, "username": "desk"}),
    ("http://127.0.0.1:3128", {"scheme": "http", "hostname": "127.0.0.1", "port": 3128}),
])
def test_every_client_gets_the_proxy(desk, url, expected):
    config = load_config({**VALID, "DATA_DIR": str(desk / "data"), "PROXY": url},
                         env_file=None)
    assert telegram_client.proxy_settings(config) == expected
    kinds = {"socks5": "SOCKS5Proxy", "socks4": "SOCKS4Proxy", "http": "HTTPProxy"}
    for build in (telegram_client.build_client, telegram_client.build_check_client):
        proxy = build(config).proxy
        assert type(proxy).__name__ == kinds[expected["scheme"]]
        assert (proxy.hostname, proxy.port) == ("127.0.0.1", expected["port"])
        assert (proxy.username, proxy.password) == (expected.get("username"),
                                                    expected.get("password"))


def test_without_proxy_clients_connect_directly(desk):
    config = load_config({**VALID, "DATA_DIR": str(desk / "data")}, env_file=None)
    assert telegram_client.proxy_settings(config) is None
    assert telegram_client.build_client(config).proxy is None
    assert telegram_client.build_check_client(config).proxy is None
