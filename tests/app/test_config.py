"""Configuration: every problem reported at once, defaults, .env parsing, secrets kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from atendimento.config import SETTINGS, ConfigError, Secret, load_config, read_env_file

TOKEN = "123456789:AAEhBP0av28ZnLgTZKrUoVQ7kjQ8z1ZHk0s"
HASH = "0123456789abcdef0123456789abcdef"
VALID = {"API_ID": "12345", "API_HASH": HASH, "BOT_TOKEN": TOKEN, "CHANNEL": "-1001234567890"}


def test_valid_environment_gives_typed_config_with_defaults():
    config = load_config(VALID, env_file=None)
    assert config.api_id == 12345
    assert config.channel == -1001234567890
    assert config.api_hash.reveal() == HASH
    assert config.bot_token.reveal() == TOKEN
    assert config.language == "pt_BR"
    assert config.timezone == "America/Sao_Paulo"
    assert config.texts_dir == Path("respostas")
    assert config.log_level == "INFO"
    assert config.database_url == "sqlite:///data/atendimento.db"


def test_default_database_follows_data_dir():
    config = load_config({**VALID, "DATA_DIR": "/srv/desk"}, env_file=None)
    assert config.database_url == "sqlite:////srv/desk/atendimento.db"


def test_empty_environment_lists_every_required_value_with_where_to_get_it():
    with pytest.raises(ConfigError) as caught:
        load_config({}, env_file=None)
    message = str(caught.value)
    names = [p.split(":")[0] for p in caught.value.problems]
    assert names == ["API_ID", "API_HASH", "BOT_TOKEN", "CHANNEL"]
    assert "my.telegram.org" in message
    assert "@BotFather" in message


def test_malformed_values_are_all_reported_and_never_echoed():
    bad_token = "not-a-token-but-secret-looking-value"
    environ = {
        "API_ID": "abc",
        "API_HASH": "xyz-secret-hash",
        "BOT_TOKEN": bad_token,
        "CHANNEL": "a b",
        "DATABASE_URL": "mysql://root:pw@h/db",
        "LANGUAGE": "portuguese",
        "TIMEZONE": "Mars/Olympus",
        "LOG_LEVEL": "LOUD",
    }
    with pytest.raises(ConfigError) as caught:
        load_config(environ, env_file=None)
    names = {p.split(":")[0] for p in caught.value.problems}
    assert names == {"API_ID", "API_HASH", "BOT_TOKEN", "CHANNEL", "DATABASE_URL", "LANGUAGE",
                     "TIMEZONE", "LOG_LEVEL"}
    message = str(caught.value)
    for secret in ("xyz-secret-hash", bad_token, "root:pw"):
        assert secret not in message


@pytest.mark.parametrize("channel, expected", [("@MyDesk", "@MyDesk"), ("MyDesk", "@MyDesk"),
                                                ("-1009876543210", -1009876543210)])
def test_channel_accepts_id_or_username(channel, expected):
    assert load_config({**VALID, "CHANNEL": channel}, env_file=None).channel == expected


def test_secrets_hidden_in_repr_and_str():
    config = load_config(VALID, env_file=None)
    for text in (repr(config), str(config), repr(config.bot_token), f"{config.api_hash}"):
        assert TOKEN not in text and HASH not in text
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")


def test_database_url_for_display_masks_password():
    config = load_config({**VALID, "DATABASE_URL": "postgresql://desk:s3cr3t@db:5432/x"},
                         env_file=None)
    assert config.database_url_for_display == "postgresql://desk:***@db:5432/x"


def test_env_file_is_read_and_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# a comment\n"
        f"API_ID=999\nexport API_HASH={HASH}\nBOT_TOKEN='{TOKEN}'\n"
        'CHANNEL="@fromfile"  \nLANGUAGE=en # inline comment\n\nnot a setting line\n',
        encoding="utf-8",
    )
    assert read_env_file(env_file)["LANGUAGE"] == "en"
    config = load_config({"API_ID": "111"}, env_file=env_file)
    assert config.api_id == 111
    assert config.channel == "@fromfile"
    assert config.bot_token.reveal() == TOKEN
    assert config.language == "en"


def test_missing_env_file_is_fine():
    assert load_config(VALID, env_file=Path("/nonexistent/.env")).api_id == 12345


def test_every_setting_is_documented_in_env_example():
    example = read_env_file(Path(__file__).parents[2] / ".env.example")
    assert {s.name for s in SETTINGS} <= set(example)


# --- PROXY -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url, scheme, host, port, user, password", [
    ("socks5://desk:pr0xy-s3cret@proxy.example:1080", "socks5", "proxy.example", 1080, "desk",
     "pr0xy-s3cret"),
    ("socks5://10.0.0.1:1080", "socks5", "10.0.0.1", 1080, None, None),
    ("SOCKS5://Proxy.Example:9050/", "socks5", "proxy.example", 9050, None, None),
    ("socks4://desk@10.0.0.1:1080", "socks4", "10.0.0.1", 1080, "desk", None),
    ("http://desk:p%40ss:word@[2001:db8::1]:3128", "http", "2001:db8::1", 3128, "desk",
     "p@ss:word"),
    ("http://desk:p@ss@proxy.example:8080", "http", "proxy.example", 8080, "desk", "p@ss"),
    ("http://proxy.example:8080", "http", "proxy.example", 8080, None, None),
])
def test_proxy_urls_of_each_scheme(url, scheme, host, port, user, password):
    proxy = load_config({**VALID, "PROXY": url}, env_file=None).proxy
    assert (proxy.scheme, proxy.hostname, proxy.port, proxy.username) == (scheme, host, port,
                                                                           user)
    assert (proxy.password.reveal() if proxy.password else None) == password
    assert password is None or password not in proxy.display


def test_no_proxy_by_default():
    assert load_config(VALID, env_file=None).proxy is None


@pytest.mark.parametrize("url, message", [
    ("https://proxy.example:443", "must start with socks5://, socks4:// or http://, not https://"),
    ("tg://proxy?server=1.2.3.4&port=443&secret=ee00",
     "must start with socks5://, socks4:// or http://, not tg:// (MTProxy is not supported)"),
    ("proxy.example:1080", "must be a URL such as socks5://127.0.0.1:1080"),
    ("socks5://:1080", "has no host"),
    ("socks5://desk:pr0xy-s3cret@:1080", "has no host"),
    ("socks5://proxy.example", "needs a port after the host (host:port)"),
    ("socks5://desk:pr0xy-s3cret@proxy.example:abc", "the port must be a number from 1 to 65535"),
    ("socks5://proxy.example:70000", "the port must be a number from 1 to 65535"),
    ("socks5://proxy.example:0", "the port must be a number from 1 to 65535"),
    ("http://proxy.example:8080/path", "must end with the port"),
    ("http://[2001:db8::1:8080", "is not a valid URL"),
    ("socks5://:pr0xy-s3cret@proxy.example:1080", "has a password but no user name"),
    ("socks4://desk:pr0xy-s3cret@proxy.example:1080", "socks4 takes a user id but no password"),
    ("socks5://desk@proxy.example:1080", "socks5 needs both a user name and a password"),
    ("socks5://desk:pr0xy-s3crét@proxy.example:1080",
     "socks5 user names and passwords must be ASCII"),
])
def test_bad_proxy_urls_say_what_is_wrong_without_the_password(url, message):
    with pytest.raises(ConfigError) as caught:
        load_config({**VALID, "PROXY": url}, env_file=None)
    (problem,) = caught.value.problems
    assert problem.startswith(f"PROXY: {message}")
    assert "socks5://user:password@host:port" in problem  # the help says what it looks like
    assert "s3cret" not in str(caught.value) and "s3crét" not in str(caught.value)


def test_proxy_password_is_a_secret():
    config = load_config({**VALID, "PROXY": "socks5://desk:pr0xy-s3cret@proxy.example:1080"},
                         env_file=None)
    for text in (repr(config), str(config), repr(config.proxy), config.proxy.display):
        assert "pr0xy-s3cret" not in text
    assert config.proxy.display == "socks5://desk@proxy.example:1080"
    assert "pr0xy-s3cret" in config.secrets


def test_database_password_is_redacted_too():
    config = load_config({**VALID, "DATABASE_URL": "postgresql://desk:s3%2Fcr3t@db:5432/x"},
                         env_file=None)
    assert {"s3%2Fcr3t", "s3/cr3t", TOKEN, HASH} <= set(config.secrets)


@pytest.mark.parametrize("raw, mode", [("on", "on"), ("SIM", "on"), ("off", "off"), ("0", "off"),
                                       ("suggest", "suggest"), ("sugerir", "suggest")])
def test_the_faq_answers_by_itself_only_suggests_or_is_off(raw, mode):
    config = load_config({**VALID, "FAQ_AUTOANSWER": raw}, env_file=None)
    assert config.desk["faq_autoanswer"] == mode
    assert load_config(VALID, env_file=None).desk["faq_autoanswer"] == "off"


def test_a_faq_mode_it_does_not_know_is_named():
    with pytest.raises(ConfigError) as caught:
        load_config({**VALID, "FAQ_AUTOANSWER": "maybe"}, env_file=None)
    [problem] = caught.value.problems
    assert problem.startswith("FAQ_AUTOANSWER: must be on, off or suggest — ")
