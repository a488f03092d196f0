"""The `atendimento` command as a self-hoster meets it: help, version, missing config, migrate."""

from __future__ import annotations

import os
import subprocess
import sys

from atendimento import __version__
from atendimento.cli import main

from .test_config import VALID


def run_cli(*args: str, cwd, extra_env: dict[str, str] | None = None):
    env = {k: v for k, v in os.environ.items() if k not in VALID and k != "DATABASE_URL"}
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "atendimento", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_run_without_configuration_exits_2_listing_what_to_set(tmp_path):
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    for name in ("API_ID", "API_HASH", "BOT_TOKEN", "CHANNEL"):
        assert name in result.stderr
    assert "my.telegram.org" in result.stderr and "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_and_help(capsys):
    try:
        main(["--version"])
    except SystemExit as stop:
        assert stop.code == 0
    assert __version__ in capsys.readouterr().out
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "run" in out and "migrate" in out


def test_migrate_twice_applies_then_does_nothing(tmp_path):
    env = {**VALID, "DATA_DIR": str(tmp_path / "data")}
    first = run_cli("migrate", cwd=tmp_path, extra_env=env)
    assert first.returncode == 0, first.stderr
    assert "applied migrations 1, 2" in first.stderr
    assert (tmp_path / "data" / "atendimento.db").is_file()
    second = run_cli("migrate", cwd=tmp_path, extra_env=env)
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stderr


def test_unreachable_database_is_a_clear_error_without_password(tmp_path):
    env = {**VALID, "DATABASE_URL": "postgresql://desk:hunter2@127.0.0.1:1/nowhere"}
    result = run_cli("migrate", cwd=tmp_path, extra_env=env)
    assert result.returncode == 1
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr
    assert "postgresql://desk:***@127.0.0.1:1/nowhere" in result.stderr


def test_env_file_option_is_read(tmp_path):
    env_file = tmp_path / "desk.env"
    env_file.write_text("\n".join(f"{k}={v}" for k, v in VALID.items()) + "\n"
                        f"DATA_DIR={tmp_path / 'd'}\n", encoding="utf-8")
    result = run_cli("--env-file", str(env_file), "migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_bench_sandbox_prints_figures(capsys):
    assert main(["bench", "sandbox", "--count", "50"]) == 0
    out = capsys.readouterr().out
    assert "send_message round trips:" in out and "/s" in out
