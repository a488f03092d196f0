"""`atendimento check`'s languages line: a catalog and every text for LANGUAGE and
DEFAULT_CLIENT_LANGUAGE."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from atendimento.app import load_texts
from atendimento.config import ConfigError, load_config
from atendimento.errors import StartupError
from atendimento.i18n import Translator
from atendimento.telegram.check import check_languages

ROOT = Path(__file__).parents[2]
ENVIRON = {"API_ID": "1", "API_HASH": "0" * 32, "BOT_TOKEN": "1234:" + "A" * 35,
           "CHANNEL": "-1001000000001"}


def config(texts: Path, **settings: str):
    return load_config({**ENVIRON, "TEXTS_DIR": str(texts), **settings}, env_file=None)


@pytest.mark.parametrize("team, clients", [
    ("pt_BR", None), ("en", "ru"), ("it", "it"), ("ru", "es"), ("es", "pt_BR")])
def test_the_shipped_texts_serve_every_pair_of_the_five(team: str, clients: str | None) -> None:
    settings = {"LANGUAGE": team} | ({"DEFAULT_CLIENT_LANGUAGE": clients} if clients else {})
    result = check_languages(config(ROOT / "respostas", FAQ_AUTOANSWER="on", **settings))
    assert result.ok, result.line()
    assert result.name.startswith(f"languages {team}")


def test_missing_texts_and_catalogs_are_each_named(tmp_path: Path) -> None:
    texts = tmp_path / "respostas"
    shutil.copytree(ROOT / "respostas", texts)
    (texts / "ru" / "fim.md").unlink()
    (texts / "ru" / "atendente.txt").unlink()
    shutil.rmtree(texts / "it")
    result = check_languages(config(texts, LANGUAGE="it", DEFAULT_CLIENT_LANGUAGE="ru",
                                    FAQ_AUTOANSWER="on"))
    assert not result.ok
    assert result.name == "languages it (team), ru (clients)"
    for missing in ("it/inicio.md", "it/recomeco.md", "it/fim.md", "it/banido.md",
                    "it/atendente.txt", "ru/fim.md", "ru/atendente.txt"):
        assert str(texts / missing) in result.detail
    assert "ru/inicio.md" not in result.detail
    assert "pt_BR, en, es, it, ru" in result.fix

    # Without the FAQ the handover phrases are not needed; a language without a catalog is named.
    result = check_languages(config(texts, LANGUAGE="pt_BR", DEFAULT_CLIENT_LANGUAGE="fr"))
    assert "no catalog for fr" in result.detail
    assert str(texts / "fr" / "inicio.md") in result.detail
    assert "atendente.txt" not in result.detail


def test_the_default_client_language_is_the_team_s_and_is_validated() -> None:
    assert config(ROOT / "respostas", LANGUAGE="ru").default_client_language == "ru"
    assert config(ROOT / "respostas").default_client_language == "pt_BR"
    with pytest.raises(ConfigError, match="DEFAULT_CLIENT_LANGUAGE"):
        config(ROOT / "respostas", DEFAULT_CLIENT_LANGUAGE="russian")


def test_start_up_refuses_a_client_language_without_a_catalog() -> None:
    setup = config(ROOT / "respostas", DEFAULT_CLIENT_LANGUAGE="fr")
    with pytest.raises(StartupError, match="DEFAULT_CLIENT_LANGUAGE=fr has no translation"):
        load_texts(setup, Translator("pt_BR"))
    assert load_texts(config(ROOT / "respostas", LANGUAGE="ru"), Translator("ru")).languages
