"""Start-up refuses a broken set-up with a message and exit status, before touching Telegram."""

from __future__ import annotations

import pytest

from atendimento.app import App, load_texts, migrate_database
from atendimento.config import load_config
from atendimento.errors import EXIT_MISCONFIGURED, StartupError
from atendimento.i18n import Translator

from .test_config import VALID


def config_for(tmp_path, **extra):
    return load_config({**VALID, "DATA_DIR": str(tmp_path / "data"), **extra}, env_file=None)


def never_called(_config):
    raise AssertionError("Telegram must not be reached when the set-up is broken")


async def test_broken_texts_stop_start_up_naming_the_file(tmp_path):
    texts = tmp_path / "respostas" / "pt_BR"
    texts.mkdir(parents=True)
    (texts / "inicio.md").write_text("Olá {nme}!\n", encoding="utf-8")
    app = App(config_for(tmp_path, TEXTS_DIR=str(tmp_path / "respostas")), never_called)
    with pytest.raises(StartupError) as caught:
        await app.start()
    assert caught.value.exit_status == EXIT_MISCONFIGURED
    assert "inicio.md:1" in str(caught.value) and "nme" in str(caught.value)
    await app.stop()


def test_language_without_catalog_is_refused(tmp_path):
    config = config_for(tmp_path, LANGUAGE="fr")
    with pytest.raises(StartupError) as caught:
        load_texts(config, Translator("fr"))
    assert caught.value.exit_status == EXIT_MISCONFIGURED
    assert "LANGUAGE=fr" in str(caught.value) and "pt_BR" in str(caught.value)


def test_migrate_database_reports_versions_once(tmp_path):
    config = config_for(tmp_path)
    assert migrate_database(config)[0] == 1
    assert migrate_database(config) == []
