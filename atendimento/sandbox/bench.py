"""Benchmark of the sandbox itself: send_message round trips per second through the wire, and
the time from a server push to the bot's handler, so desk benchmarks can subtract its share.

Run: ``python -m atendimento.sandbox.bench [--count N] [--lax]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from pyrogram import filters
from pyrogram.handlers import MessageHandler

from .sandbox import Sandbox


async def _round_trips(sandbox: Sandbox, bot, count: int) -> tuple[float, float]:
    person = sandbox.client("Bench")
    person.start()
    await bot.send_message(person.id, "warm up")
    served = sandbox.server.service_seconds
    start = time.perf_counter()
    for index in range(count):
        await bot.send_message(person.id, f"message {index}")
    elapsed = time.perf_counter() - start
    return count / elapsed, (sandbox.server.service_seconds - served) / count * 1e6


async def _deliveries(sandbox: Sandbox, bot, count: int) -> tuple[float, float]:
    """(µs per update in a burst, µs per update one at a time), push to handler done."""
    done = asyncio.Event()
    handled = 0
    target = 0

    async def count_it(client, message) -> None:
        nonlocal handled
        handled += 1
        if handled >= target:
            done.set()

    bot.add_handler(MessageHandler(count_it, filters.private & filters.incoming))
    await asyncio.sleep(0)
    person = sandbox.client("Pusher")
    person.start()
    await sandbox.settle()
    handled, target = 0, count
    done.clear()
    start = time.perf_counter()
    for index in range(count):
        person.send(f"push {index}")
    await done.wait()
    burst = (time.perf_counter() - start) / count
    one_by_one = 0.0
    for index in range(count):
        handled, target = 0, 1
        done.clear()
        start = time.perf_counter()
        person.send(f"single {index}")
        await done.wait()
        one_by_one += time.perf_counter() - start
    return burst * 1e6, one_by_one / count * 1e6


async def run(count: int, strict: bool) -> dict[str, float]:
    async with Sandbox(strict=strict) as sandbox:
        sandbox.world.limits.enabled = False
        bot = sandbox.bot_client("bench")
        await sandbox.start_bot(lambda sb: bot.start())
        rate, server = await _round_trips(sandbox, bot, count)
        burst, single = await _deliveries(sandbox, bot, count)
    return {
        "round_trips_per_s": rate,
        "server_us": server,
        "update_burst_us": burst,
        "update_single_us": single,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atendimento bench sandbox", description=__doc__)
    parser.add_argument("--count", type=int, default=2000, help="operations per measure")
    parser.add_argument("--lax", action="store_true", help="turn strict wire checks off")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.count, strict=not args.lax))
    mode = "lax" if args.lax else "strict"
    print(f"sandbox bench ({mode} wire, {args.count} operations each, one process)")
    print(
        f"send_message round trips: {figures['round_trips_per_s']:,.0f}/s "
        f"({1e6 / figures['round_trips_per_s']:,.0f} µs each, of which the server "
        f"{figures['server_us']:,.0f} µs; the rest is pyrogram and the socket)"
    )
    print(f"update push -> handler, burst: {figures['update_burst_us']:,.0f} µs per update")
    print(
        f"update push -> handler, one at a time: {figures['update_single_us']:,.0f} µs per update"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
