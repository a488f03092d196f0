"""/metrics in Prometheus' text format (prometheus_client), with a registry of the desk's
own: the meter's counters (desk/meter.py) and what the database says when asked (outbox
depth and age, open atendimentos, the webhook queue)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from atendimento.desk.meter import Meter
from atendimento.storage import outbox as outbox_rows
from atendimento.storage import threads as thread_rows


@dataclass(frozen=True)
class Depths:
    """What the database says, read before each scrape (off the event loop)."""

    outbox_pending: int
    outbox_oldest: datetime | None
    open_atendimentos: int
    webhooks_pending: int | None  # None: no webhooks configured
    webhooks_oldest: datetime | None
    now: datetime


class DeskCollector:
    def __init__(self, meter: Meter) -> None:
        self.meter = meter
        self.depths: Depths | None = None

    def collect(self) -> Iterable[Metric]:
        meter = self.meter
        relays = CounterMetricFamily("atendimento_relays", "Messages copied between a "
                                     "client and their thread", labels=["direction"])
        for direction in ("to_team", "to_client"):
            relays.add_metric([direction], meter.relays[direction])
        yield relays
        sends = CounterMetricFamily("atendimento_sends", "Sends of the outbox, by action and "
                                    "outcome", labels=["action", "outcome"])
        for (action, outcome), count in sorted(meter.sends.items()):
            sends.add_metric([action, outcome], count)
        yield sends
        yield CounterMetricFamily("atendimento_flood_waits", "Flood waits Telegram asked for",
                                  value=meter.flood_waits)
        errors = CounterMetricFamily("atendimento_errors", "Errors logged, by logger",
                                     labels=["logger"])
        for logger, count in sorted(meter.errors.items()):
            errors.add_metric([logger], count)
        yield errors
        depths = self.depths
        if depths is None:
            return
        yield GaugeMetricFamily("atendimento_outbox_depth", "Sends decided, not yet done",
                                value=depths.outbox_pending)
        yield GaugeMetricFamily("atendimento_outbox_oldest_age_seconds", "Age of the oldest "
                                "pending send", value=_age(depths.outbox_oldest, depths.now))
        yield GaugeMetricFamily("atendimento_open_atendimentos", "Atendimentos open now",
                                value=depths.open_atendimentos)
        if depths.webhooks_pending is not None:
            yield GaugeMetricFamily("atendimento_webhook_queue_depth", "Webhook deliveries "
                                    "waiting", value=depths.webhooks_pending)
            yield GaugeMetricFamily("atendimento_webhook_oldest_age_seconds", "Age of the "
                                    "oldest waiting webhook delivery",
                                    value=_age(depths.webhooks_oldest, depths.now))


def _age(oldest: datetime | None, now: datetime) -> float:
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())


class Metrics:
    def __init__(self, meter: Meter) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.collector = DeskCollector(meter)
        self.registry.register(self.collector)

    def render(self, depths: Depths) -> bytes:
        self.collector.depths = depths
        return generate_latest(self.registry)


def read_depths(t: Any, now: datetime, webhooks: Any = None) -> Depths:
    """In the database thread: the depths /metrics shows (`webhooks(t)` gives the webhook
    queue's (count, oldest) when webhooks are configured)."""
    pending, oldest = outbox_rows.depth(t)
    hooks = webhooks(t) if webhooks is not None else (None, None)
    return Depths(pending, oldest, thread_rows.count_open_atendimentos(t), hooks[0], hooks[1],
                  now)
