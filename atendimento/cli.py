"""The `atendimento` command: run the desk, migrate the database, and the tools around them."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from atendimento import __version__
from atendimento.config import Config, ConfigError, load_config
from atendimento.logs import setup_logging

log = logging.getLogger("atendimento.cli")

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atendimento",
        description="A support desk inside Telegram: every client a channel post, "
        "every conversation its comment thread.",
    )
    parser.add_argument("--version", action="version", version=f"atendimento {__version__}")
    parser.add_argument(
        "--env-file", type=Path, default=Path(".env"), metavar="PATH",
        help="file with KEY=VALUE settings, read before the environment (default: .env)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the desk (migrates the database first)")
    commands.add_parser("migrate", help="apply pending database migrations and exit")
    commands.add_parser("check", help="check the set-up: bot rights, channel, group, inline "
                        "mode, texts, database; exit status 0 only when all pass")
    sandbox = commands.add_parser(
        "sandbox", help="try the desk without a Telegram account: write as clients and as "
        "the team in a simulated Telegram")
    sandbox.add_argument("--script", type=Path, metavar="FILE",
                         help="play a scenario file and print the transcript")
    bench = commands.add_parser("bench", help="benchmarks that print figures")
    bench.add_argument("what", choices=["sandbox", "relay", "size"], help="sandbox: round "
                       "trips through the simulated Telegram's wire; relay: the desk against a "
                       "bare copying bot; size: database bytes per relayed message")
    bench.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if args.command == "sandbox":
        return _sandbox(args.script, args.env_file)
    if args.command == "bench":
        if args.what == "sandbox":
            from atendimento.sandbox import bench

            return bench.main(args.rest)
        from atendimento import bench as desk_bench

        return desk_bench.main([args.what, *args.rest])
    try:
        config = load_config(env_file=args.env_file)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(config.log_level, config.secrets)
    handler = {"run": _run, "migrate": _migrate, "check": _check}[args.command]
    return handler(config)


def _migrate(config: Config) -> int:
    from atendimento.app import StartupError, migrate_database

    try:
        applied = migrate_database(config)
    except StartupError as error:
        log.error("%s", error)
        return error.exit_status
    if applied:
        log.info("applied migrations %s", ", ".join(str(v) for v in applied))
    else:
        log.info("database is up to date, nothing to do")
    return EXIT_OK


def _check(config: Config) -> int:
    from atendimento.check import report
    from atendimento.telegram.client import build_check_client

    return EXIT_OK if asyncio.run(report(config, build_check_client)) else EXIT_FAILURE


def _sandbox(script: Path | None, env_file: Path) -> int:
    """The offline demo needs no configuration; LANGUAGE, TIMEZONE and TEXTS_DIR still apply."""
    import os

    from atendimento.config import read_env_file
    from atendimento.demo import play

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    environ = {**read_env_file(env_file), **os.environ}
    if script is None:
        return asyncio.run(play(None, sys.stdout, environ))
    try:
        lines = script.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        print(f"cannot read {script}: {error.strerror}", file=sys.stderr)
        return EXIT_CONFIG
    return asyncio.run(play(lines, sys.stdout, environ))


def _run(config: Config) -> int:
    from atendimento.app import StartupError, run_until_stopped

    try:
        asyncio.run(run_until_stopped(config))
    except StartupError as error:
        log.error("%s", error)
        return error.exit_status
    except KeyboardInterrupt:
        pass
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
