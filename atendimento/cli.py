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
    sandbox.add_argument("--parallel", action="store_true",
                         help="the desk in parallel mode beside an existing bot (a small sales "
                         "funnel) that answers clients: watch the threads fill with both sides")
    commands.add_parser("reload", help="check respostas/ and make the running desk read it "
                        "again (it also notices changed files by itself within seconds)")
    faq = commands.add_parser("import-faq", help="turn a CSV of questions and answers into "
                              "ready answers in respostas/<language>/prontas/")
    faq.add_argument("csv", type=Path, metavar="FILE.csv",
                     help="a header line naming a question and an answer column "
                     "(pergunta/resposta, question/answer, pregunta/respuesta), optionally "
                     "keywords (palavras-chave)")
    faq.add_argument("--language", metavar="LANG",
                     help="the folder to write into (default: LANGUAGE, else pt_BR)")
    learned = commands.add_parser("faq", help="what the FAQ learned from the team "
                                  "(FAQ_LEARN=on)")
    learned_commands = learned.add_subparsers(dest="faq_command", metavar="SUBCOMMAND",
                                              required=True)
    keywords = learned_commands.add_parser(
        "suggest-keywords", help="propose keywords for each saved reply from the questions "
        "the team answered with it, and say how many more the FAQ would answer by itself")
    keywords.add_argument("--min", type=int, default=2, metavar="N", dest="min_questions",
                          help="propose a word only when at least N of the reply's questions "
                          "hold it (default 2)")
    keywords.add_argument("--write", action="store_true",
                          help="add the proposed keywords to the ready answers' files")
    learned_commands.add_parser("forget", help="delete everything FAQ_LEARN recorded")
    bench = commands.add_parser("bench", help="benchmarks that print figures")
    bench.add_argument("what", choices=["sandbox", "relay", "size", "replies", "catchup", "crash",
                                          "memory", "fuzz", "api", "faq"],
                       help="sandbox: round trips through the simulated Telegram's wire; "
                       "relay: the desk against a bare copying bot; size: database bytes per "
                       "relayed message; replies: inline search latency; catchup: messages "
                       "that arrived while the desk was down; crash: the desk killed during a "
                       "burst; memory: resident memory idle with a large database; fuzz: random "
                       "acts of clients, team and outsiders checked by an oracle; api: the HTTP "
                       "API under load at 10,000 clients, and the relay meanwhile; faq: the FAQ "
                       "matchers on the evaluation sets (tests/fixtures/faq/eval), held-out part")
    bench.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if args.command == "sandbox":
        return _sandbox(args.script, args.env_file, args.parallel)
    if args.command == "import-faq":
        return _import_faq(args.csv, args.language, args.env_file)
    if args.command == "reload":
        return _reload(args.env_file)
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
    if args.command == "faq":
        return _faq(config, args)
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


def _faq(config: Config, args: argparse.Namespace) -> int:
    from atendimento import faq_learned_cli
    from atendimento.storage.runner import Storage

    if getattr(args, "min_questions", 1) < 1:
        print("--min must be 1 or more", file=sys.stderr)
        return EXIT_CONFIG
    if (status := _migrate(config)) != EXIT_OK:
        return status
    storage = Storage.open(config.database_url)
    try:
        if args.faq_command == "forget":
            return faq_learned_cli.forget(storage, sys.stdout)
        return faq_learned_cli.suggest(
            storage, sys.stdout, learning=bool(config.desk.get("faq_learn")),
            texts_dir=config.texts_dir, threshold=config.desk.get("faq_auto_threshold"),
            min_questions=args.min_questions, write=args.write)
    finally:
        storage.close()


def _check(config: Config) -> int:
    from atendimento.startup import explain_unexpected
    from atendimento.telegram.check import report
    from atendimento.telegram.client import build_check_client

    try:
        passed = asyncio.run(report(config, build_check_client))
    except Exception as error:
        log.error("%s", explain_unexpected(error, config, "checking the set-up"))
        log.debug("what stopped the check:", exc_info=True)
        return EXIT_CONFIG
    return EXIT_OK if passed else EXIT_FAILURE


def _sandbox(script: Path | None, env_file: Path, parallel: bool = False) -> int:
    """The offline demo needs no configuration; LANGUAGE, TIMEZONE and TEXTS_DIR still apply."""
    import os

    from atendimento.config import read_env_file
    from atendimento.demo import play

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    environ = {**read_env_file(env_file), **os.environ}
    if script is None:
        return asyncio.run(play(None, sys.stdout, environ, parallel))
    try:
        lines = script.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        print(f"cannot read {script}: {error.strerror}", file=sys.stderr)
        return EXIT_CONFIG
    return asyncio.run(play(lines, sys.stdout, environ, parallel))


def _loose_settings(env_file: Path) -> dict[str, str]:
    """The environment and .env, for commands that need no Telegram credentials."""
    import os

    from atendimento.config import read_env_file

    return {**read_env_file(env_file), **os.environ}


def _import_faq(csv_path: Path, language: str | None, env_file: Path) -> int:
    from atendimento.faq_import import FaqFileError, import_faq

    settings = _loose_settings(env_file)
    texts_dir = Path(settings.get("TEXTS_DIR") or "respostas")
    language = language or settings.get("LANGUAGE") or "pt_BR"
    try:
        result = import_faq(csv_path, texts_dir, language)
    except FaqFileError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILURE
    folder = texts_dir / language / "prontas"
    print(f"{folder}: {result.new} new, {result.updated} updated, {result.unchanged} unchanged")
    for problem in result.problems:
        print(f"  skipped {problem}", file=sys.stderr)
    if result.written:
        print("A running desk reads them within seconds (or now: atendimento reload).")
    return EXIT_FAILURE if result.problems else EXIT_OK


def _reload(env_file: Path) -> int:
    import os
    import signal

    from atendimento.app import PID_FILE
    from atendimento.ready import load_ready
    from atendimento.texts import Texts, TextsError

    settings = _loose_settings(env_file)
    texts_dir = Path(settings.get("TEXTS_DIR") or "respostas")
    problems = []
    try:
        Texts.load(texts_dir, settings.get("LANGUAGE") or "pt_BR")
    except TextsError as error:
        problems += [str(p) for p in error.problems]
    answers, found = load_ready(texts_dir)
    problems += [str(p) for p in found]
    if problems:
        print(f"{texts_dir} needs fixing first; the desk keeps the texts it has:",
              file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    pid_file = Path(settings.get("DATA_DIR") or "data") / PID_FILE
    try:
        pid = int(pid_file.read_text(encoding="ascii").strip())
        # A pid file left by a crash may name another program now: SIGHUP would end it.
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and b"atendimento" not in cmdline.read_bytes():
            raise ProcessLookupError(pid)
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError):
        print(f"{texts_dir} is fine ({len(answers)} ready answers); no running desk found "
              f"({pid_file}), so the next start reads it.")
        return EXIT_OK
    print(f"{texts_dir} is fine ({len(answers)} ready answers); asked the desk (pid {pid}) "
          "to reload it.")
    return EXIT_OK


def _run(config: Config) -> int:
    from atendimento.app import StartupError, run_until_stopped

    try:
        asyncio.run(run_until_stopped(config))
    except StartupError as error:
        log.error("%s", error)
        log.debug("what stopped the start-up:", exc_info=True)  # the traceback, at DEBUG
        return error.exit_status
    except KeyboardInterrupt:
        pass
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
