"""Composition root: config → database → texts and i18n → Telegram client → desk → scheduler.

`App.start` builds them in that order and `App.stop` closes them in reverse. Nothing here runs
at import; the Telegram client comes from a factory so the sandbox can put its own in.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from atendimento.config import Config
from atendimento.desk.context import DeskContext, Roots, SystemClock
from atendimento.desk.contract import FeaturePackage
from atendimento.desk.desk import Desk
from atendimento.desk.meter import ErrorCounter, Meter
from atendimento.desk.ports import Clock
from atendimento.desk.wording import Wording
from atendimento.errors import EXIT_MISCONFIGURED, StartupError
from atendimento.features import (
    autoclose,
    bans,
    csat,
    dialogs,
    faq,
    handover,
    notes,
    notices,
    outreach,
    parallel,
    priorities,
    replies,
    sla,
    status,
    tags,
    webhooks,
)
from atendimento.features import language as language_choice
from atendimento.i18n import Translator
from atendimento.ready import ReadyAnswer, load_handover_words, load_ready, signature
from atendimento.startup import describe, explain_unexpected
from atendimento.storage import FeatureMigrations, Storage, StorageError, migrate_url
from atendimento.storage import outbox as outbox_rows
from atendimento.tasks import Background
from atendimento.telegram.checkpoints import Checkpoints
from atendimento.telegram.client import ClientFactory, Connection, build_client, connect
from atendimento.telegram.gateway import Gateway
from atendimento.telegram.handlers import Identity, Router, register
from atendimento.telegram.menus import set_menus
from atendimento.texts import Texts, TextsError
from atendimento.web.actions import DeskActions
from atendimento.web.metrics import Metrics, read_depths
from atendimento.web.server import Server

log = logging.getLogger("atendimento.app")

ADMIN_REFRESH_MINUTES = 30
TEXTS_WATCH_SECONDS = 10
CHECKPOINT_SECONDS = 1  # how often the update state may be committed (see checkpoints.py)
OUTBOX_KEPT = timedelta(days=2)
PARKED_RETRY_SECONDS = 60  # how often messages waiting for their thread are tried again
PID_FILE = "atendimento.pid"


# The enabled features, in order: menus and /ajuda list their commands so, and a feature may
# use those before it (faq answers with replies); webhooks listens to every event, and
# dialogs judges only the private messages no other feature claimed. Each is a package with
# `feature(core)`, and `migrations()` when it has tables of its own (desk/contract.py).
FEATURES: tuple[FeaturePackage, ...] = (notices, priorities, bans, replies, faq, notes,
                                          tags, language_choice, status, outreach, autoclose,
                                          csat, sla, handover, webhooks, dialogs,
                                          parallel)


def feature_migrations(features: Sequence[FeaturePackage]) -> list[FeatureMigrations]:
    return [package.migrations() for package in features if hasattr(package, "migrations")]


def migrate_database(config: Config,
                     features: Sequence[FeaturePackage] = FEATURES) -> list[int]:
    """Bring the schema up to date (what `atendimento migrate` and start-up do)."""
    try:
        return migrate_url(config.database_url, features=feature_migrations(features))
    except StorageError as error:
        raise StartupError(f"Database {config.database_url_for_display}: {error}") from None


async def open_storage(config: Config,
                       features: Sequence[FeaturePackage] = FEATURES) -> Storage:
    storage = Storage.open(config.database_url)
    try:
        applied = await storage.migrate(features=feature_migrations(features))
    except StorageError as error:
        await storage.aclose()
        raise StartupError(f"Database {config.database_url_for_display}: {error}") from None
    if applied:
        log.info("database migrated to version %d", applied[-1])
    return storage


def load_texts(config: Config, translator: Translator) -> Texts:
    for name, language in (("LANGUAGE", config.language),
                           ("DEFAULT_CLIENT_LANGUAGE", config.default_client_language)):
        if language not in translator.locales:
            raise StartupError(
                f"{name}={language} has no translation; use one of "
                + ", ".join(translator.locales), EXIT_MISCONFIGURED)
    try:
        return Texts.load(config.texts_dir, config.language)
    except TextsError as error:
        raise StartupError(f"The texts in {config.texts_dir} need fixing:\n{error}",
                           EXIT_MISCONFIGURED) from None


def load_ready_answers(config: Config) -> list[ReadyAnswer]:
    answers, problems = load_ready(config.texts_dir)
    if problems:
        listed = "\n".join(str(problem) for problem in problems)
        raise StartupError(f"The ready answers in {config.texts_dir} need fixing:\n{listed}",
                           EXIT_MISCONFIGURED)
    return answers


def check_feature_settings(config: Config) -> None:
    """Settings that only make sense together, checked before anything connects."""
    try:
        faq.settings_of(config.desk)
    except ValueError as error:
        raise StartupError(str(error), EXIT_MISCONFIGURED) from error


@dataclass(frozen=True)
class Reloaded:
    """What a reload of `respostas/` did; `problems` lists why it kept the old texts."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    problems: tuple[str, ...] = ()


class App:
    """The running desk: owns every long-lived resource and closes them in reverse order."""

    def __init__(self, config: Config, client_factory: ClientFactory = build_client, *,
                 clock: Clock | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 monotonic: Callable[[], float] = time.monotonic,
                 features: Sequence[FeaturePackage] = FEATURES) -> None:
        self.config = config
        self.features = tuple(features)
        self.client_factory = client_factory
        self.clock = clock or SystemClock()
        # `sleep` and `monotonic` must tell the same time: the sandbox gives its own pair.
        self.sleep = sleep
        self.monotonic = monotonic
        self.translator = Translator(config.language,
                                     client_locale=config.default_client_language)
        self.background = Background()
        self.texts: Texts | None = None
        self.storage: Storage | None = None
        self.client = None
        self.connection: Connection | None = None
        self.desk: Desk | None = None
        self.checkpoints: Checkpoints | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self.meter = Meter()
        self._error_counter = ErrorCounter(self.meter)
        self.http: Server | None = None
        self._texts_seen: tuple = ()

    async def start(self) -> None:
        self.texts = load_texts(self.config, self.translator)
        ready = load_ready_answers(self.config)
        check_feature_settings(self.config)
        self._texts_seen = signature(self.config.texts_dir)
        self.storage = await open_storage(self.config, self.features)
        self.client = self.client_factory(self.config)
        self.checkpoints = Checkpoints(self.client, self._settled)
        gateway = Gateway(self.client, sleep=self.sleep, monotonic=self.monotonic,
                          meter=self.meter)
        router = Router(gateway.cache, self.background)
        register(self.client, router)
        await asyncio.sleep(0)  # pyrogram adds handlers through a task: let it run first
        self.connection = connection = await connect(self.client, self.config)
        wording = Wording(self.translator, self.config.timezone)
        context = DeskContext(
            storage=self.storage, telegram=gateway, wording=wording, texts=self.texts,
            clock=self.clock, channel_id=connection.channel_id, group_id=connection.group_id,
            bot_id=connection.bot_id, bot_username=connection.bot_username, roots=Roots(),
            meter=self.meter)
        client = self.client

        async def admins_changed(admin_ids: list[int]) -> None:
            await set_menus(client, gateway, self.desk.registry, wording,
                            group_id=connection.group_id, admin_ids=admin_ids,
                            clients=not self.desk.ctx.mode.parallel)
        self.desk = Desk(context, self.background, admins_changed,
                         features=[package.feature for package in self.features],
                         settings=self.config.desk, texts_dir=Path(self.config.texts_dir),
                         pause=self.sleep)
        await self.desk.threads.load_roots()
        await self.desk.outbox.resume()  # sends a previous run decided but did not finish
        if (book := self.desk.api("replies")) is not None:
            await book.load()
            synced = await book.sync_ready(ready)
            log.info("ready answers: %d loaded (%d new, %d changed, %d removed)", len(ready),
                     synced.added, synced.changed, synced.removed)
        await self.desk.refresh_admins()
        await self.checkpoints.drained()  # the catch-up, in the router's buffer, sorted there
        router.ready(self.desk, Identity(connection.bot_id, connection.bot_username,
                                         connection.channel_id, connection.group_id))
        self.scheduler = AsyncIOScheduler(timezone=self.config.timezone)
        self.scheduler.add_job(self.desk.team_changed, "interval",
                               minutes=ADMIN_REFRESH_MINUTES, id="refresh-admins")
        self.scheduler.add_job(self.reload_if_changed, "interval", seconds=TEXTS_WATCH_SECONDS,
                               id="watch-texts")
        self.scheduler.add_job(self.checkpoints.checkpoint, "interval",
                               seconds=CHECKPOINT_SECONDS, id="checkpoint")
        self.scheduler.add_job(self.prune_outbox, "interval", hours=1, id="prune-outbox")
        self.scheduler.add_job(self.desk.retry_parked, "interval",
                               seconds=PARKED_RETRY_SECONDS, id="retry-parked")
        for feature in self.desk.features:
            for job in feature.jobs:
                self.scheduler.add_job(job.run, "interval", seconds=job.seconds,
                                       id=f"{feature.name}:{job.name}")
                if job.at_start:
                    self.background.spawn(job.run(), f"{feature.name}:{job.name}")
        self.scheduler.start()
        # The first commit of the update state as soon as the desk is idle (a first run must
        # store where it started from); not awaited: a long catch-up must not delay the start.
        self.background.spawn(self._first_checkpoint(), "first-checkpoint")
        self.background.spawn(self.desk.retry_parked(), "retry-parked")  # left by the last run
        await self._start_http()
        log.info("desk started")

    async def _start_http(self) -> None:
        """The HTTP server, when HTTP_LISTEN is set (after the desk is ready: /healthz says
        healthy only then)."""
        logging.getLogger("atendimento").addHandler(self._error_counter)
        if self.config.http_listen is None:
            return
        token = self.config.api_token.reveal() if self.config.api_token else None
        metrics = Metrics(self.meter)
        storage, clock = self.storage, self.clock
        webhooks = self.desk.api("webhooks")
        depth = webhooks.depth if webhooks is not None and webhooks.urls else None

        async def scrape() -> bytes:
            return metrics.render(await storage.run(read_depths, clock.now(), depth))

        self.http = Server(DeskActions(self.desk.core), token, self.config.api_rate_limit,
                           health=self.health, scrape=scrape, monotonic=self.monotonic)
        host, port = self.config.http_listen
        try:
            await self.http.start(host, port)
        except OSError as error:
            raise StartupError(f"HTTP_LISTEN={host}:{port}: {error.strerror or error}",
                               EXIT_MISCONFIGURED) from None

    async def health(self) -> str | None:
        """None when Telegram and the database answer; else what is wrong."""
        if self.client is None or not self.client.is_connected:
            return "not connected to Telegram"
        try:
            await self.storage.run(lambda t: t.db.execute_sql("SELECT 1").fetchone())
        except StorageError as error:
            return f"database: {error}"
        return None

    async def _first_checkpoint(self) -> None:
        while not await self.checkpoints.checkpoint():
            await self.desk.idle()
            await asyncio.sleep(0.01)  # the dispatcher still has updates to hand over

    def _settled(self) -> bool:
        return self.desk is not None and self.desk.busy == 0

    async def prune_outbox(self) -> int:
        """Forget delivered sends older than OUTBOX_KEPT: no replayed update reaches so far."""
        return await self.storage.run(outbox_rows.prune, self.clock.now() - OUTBOX_KEPT)

    async def reload_if_changed(self) -> Reloaded | None:
        """Reload `respostas/` when a file there changed since the last look."""
        if signature(self.config.texts_dir) == self._texts_seen:
            return None
        return await self.reload()

    async def reload(self) -> Reloaded:
        """Read `respostas/` again: texts, ready answers, handover words. With any problem
        nothing changes and the problems are logged (the desk keeps running on the old ones)."""
        if self.desk is None:
            return Reloaded(problems=("the desk has not started yet",))
        self._texts_seen = signature(self.config.texts_dir)
        problems: list[str] = []
        try:
            texts = Texts.load(self.config.texts_dir, self.config.language)
        except TextsError as error:
            problems += [str(problem) for problem in error.problems]
        answers, found = load_ready(self.config.texts_dir)
        problems += [str(problem) for problem in found]
        if problems:
            log.error("respostas/ not reloaded, fix these first:\n%s", "\n".join(problems))
            return Reloaded(problems=tuple(problems))
        self.texts = self.desk.ctx.texts = texts
        if (answering := self.desk.api("faq")) is not None:
            answering.set_handover(load_handover_words(self.config.texts_dir))
        book = self.desk.api("replies")
        if book is None:
            return Reloaded()
        synced = await book.sync_ready(answers)
        log.info("respostas/ reloaded: %d ready answers new, %d changed, %d removed",
                 synced.added, synced.changed, synced.removed)
        return Reloaded(synced.added, synced.changed, synced.removed)

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.stop()
            self.http = None
        logging.getLogger("atendimento").removeHandler(self._error_counter)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.desk is not None:
            await self.desk.idle()
            await self.checkpoints.checkpoint()
        if self.client is not None and self.client.is_connected:
            await self.client.stop()
        await self.background.close()
        if self.storage is not None:
            await self.storage.aclose()
        log.info("desk stopped")


async def run_until_stopped(
    config: Config,
    client_factory: ClientFactory = build_client,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the desk until SIGINT/SIGTERM (or `stop` is set), then shut down cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    app = App(config, client_factory)
    handlers = {signal.SIGINT: stop.set, signal.SIGTERM: stop.set}
    if hasattr(signal, "SIGHUP"):  # `atendimento reload`; Windows has no SIGHUP
        handlers[signal.SIGHUP] = lambda: app.background.spawn(app.reload(), "reload")
    for sig, handler in handlers.items():
        # Not every loop can take signal handlers (Windows, a loop outside the main thread);
        # there Ctrl-C still stops the desk through KeyboardInterrupt in the CLI.
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, handler)
    pid_file = Path(config.data_dir) / PID_FILE
    started = False
    try:
        await start_app(app)
        started = True
        pid_file.write_text(f"{os.getpid()}\n", encoding="ascii")
        await stop.wait()
    finally:
        with suppress(FileNotFoundError):
            pid_file.unlink()
        if started:
            await app.stop()
        else:
            await _stop_after_failed_start(app)


async def start_app(app: App) -> None:
    """`app.start()`, with any failure turned into a `StartupError` that explains it."""
    try:
        await app.start()
    except StartupError:
        raise
    except Exception as error:
        explanation = explain_unexpected(error, app.config, "starting the desk")
        raise StartupError(str(explanation), EXIT_MISCONFIGURED) from error


async def _stop_after_failed_start(app: App) -> None:
    # What stopped the start-up is the message; a half-built app failing to close is not.
    try:
        await app.stop()
    except Exception as error:
        log.warning("closing after the failed start: %s", describe(error))
        log.debug("closing after the failed start", exc_info=True)
