"""Webhooks: every URL in WEBHOOK_URL receives the desk's events as signed JSON, from a
durable queue in the database (README, Integrations).

A listener per event type turns the event into webhook bodies and writes one row per URL,
in the client's lane and keyed by the cause it runs under, so a listener run again after a
crash adds nothing; the events themselves are outbox rows written with what they tell of
(desk/events.py), so none is lost between the change and the queue. Delivery is
delivery.py's. With no WEBHOOK_URL the feature listens to nothing and costs nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from atendimento.desk.contract import Feature, Job
from atendimento.desk.core import Core
from atendimento.features.webhooks import payloads
from atendimento.features.webhooks.delivery import Deliverer, urls_of
from atendimento.storage import FeatureMigrations
from atendimento.storage import webhooks as rows
from atendimento.storage.migrator import discover_package

DELIVER_EVERY = 5  # seconds: retries come due at least this often
KEPT_DAYS = 7


def migrations() -> FeatureMigrations:
    return FeatureMigrations("webhooks", discover_package(f"{__name__}.schema"))


class Webhooks:
    def __init__(self, core: Core, urls: tuple[str, ...], deliverer: Deliverer | None) -> None:
        self.core = core
        self.ctx = core.ctx
        self.urls = urls
        self.deliverer = deliverer

    async def heard(self, event: Any) -> None:
        """The listener of every event sent: its rows queued, then a pass asked for."""
        ctx, now = self.ctx, self.ctx.now()
        cause = ctx.outbox.cause_name()
        new = []
        for kind, data in payloads.events_of(event):
            identifier = payloads.event_id(cause, event, kind)
            body = payloads.body(identifier, kind, event.client_id, data, now)
            new += [rows.NewDelivery(identifier, url, event.client_id, kind, body)
                    for url in self.urls]
        if new and await ctx.storage.run(rows.enqueue, new, now):
            self.deliverer.kick(self.core.spawn)

    async def deliver_due(self) -> int:
        return await self.deliverer.deliver_due()

    async def prune(self) -> int:
        return await self.ctx.storage.run(rows.prune, self.ctx.now() - timedelta(KEPT_DAYS))

    def depth(self, t: Any) -> tuple[int, Any]:
        """For /metrics, in the database thread: rows waiting, and the oldest's time."""
        return rows.depth(t)


def feature(core: Core) -> Feature:
    urls = tuple(urls_of(core.settings))
    secret = core.settings.get("webhook_secret")
    if not urls or secret is None:
        return Feature("webhooks", settings=("webhook_urls", "webhook_secret"),
                       api=Webhooks(core, (), None))
    deliverer = Deliverer(core.ctx.storage, secret.reveal(), core.ctx.clock, urls)
    hooks = Webhooks(core, urls, deliverer)
    return Feature(
        "webhooks",
        listens={kind: hooks.heard for kind in payloads.KINDS},
        jobs=[Job("deliver", DELIVER_EVERY, hooks.deliver_due, at_start=True),
              Job("prune", 3600, hooks.prune)],
        settings=("webhook_urls", "webhook_secret"),
        api=hooks)
