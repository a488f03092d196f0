"""`atendimento bench size`: SQLite database bytes per relayed message (the file, with its WAL
checkpointed, after relaying N messages, less the empty schema's size, divided by N).

Run: ``python -m atendimento.bench.size [--messages N] [--clients C] [--lax]``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

from atendimento.bench.harness import (
    Bench,
    Delivery,
    bench_parser,
    check_delivery,
    desk_bench,
    parse_bench_args,
    plan,
    scratch,
)
from atendimento.storage import migrate_url
from atendimento.storage.tables import Tables

DB_NAME = "atendimento.db"


@dataclass
class Sizes:
    empty: int = 0
    warm: int = 0  # after the warm-up: clients, cards, threads, one atendimento each
    full: int = 0  # after the N relays
    links: int = 0  # message_links rows added by the relays
    page_size: int = 0
    by_table: dict[str, int] = field(default_factory=dict)  # bytes per table/index (dbstat)
    delivery: Delivery = field(default_factory=Delivery)


def on_disk(path: Path) -> int:
    """The database file plus its WAL and shared-memory files, as they are now."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
               if p.exists())


def _checkpoint(t: Tables) -> tuple[int, int]:
    t.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = t.db.execute_sql("PRAGMA page_size").fetchone()[0]
    return page_size, t.links.select().count()


def by_table(path: Path) -> dict[str, int]:
    """Bytes per table and index, from SQLite's dbstat table when it was built with one."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name "
                                  "ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        connection.close()
    return {name: int(size) for name, size in rows}


async def checkpointed(bench: Bench, path: Path) -> tuple[int, int, int]:
    """(bytes on disk, page size, link rows) with the WAL folded into the file."""
    page_size, links = await bench.app.storage.run_alone(_checkpoint)
    return on_disk(path), page_size, links


async def run(messages: int, clients: int, strict: bool, directory: Path) -> Sizes:
    path = directory / DB_NAME
    url = f"sqlite:///{path}"
    sizes = Sizes()
    migrate_url(url)  # closing the only connection checkpoints and removes the WAL
    sizes.empty = on_disk(path)
    async with desk_bench(clients, url, strict=strict, directory=directory) as bench:
        sizes.warm, _page, before = await checkpointed(bench, path)
        batch = plan(messages, clients)
        for client, index in batch:
            bench.send(client, index)
        await bench.settle()
        sizes.full, sizes.page_size, after = await checkpointed(bench, path)
        sizes.links = after - before
        sizes.by_table = by_table(path)
        sizes.delivery = check_delivery(bench, batch)
    return sizes


def report(messages: int, clients: int, sizes: Sizes) -> list[str]:
    lines = [
        f"size bench: {messages} text messages relayed from {clients} clients, SQLite, WAL "
        f"checkpointed before each measure, page size {sizes.page_size} bytes",
        f"empty schema: {sizes.empty:,} bytes",
        f"after the warm-up ({clients} clients, cards, threads): {sizes.warm:,} bytes",
        f"after {messages} relays: {sizes.full:,} bytes ({sizes.links:,} message links added, "
        f"{sizes.links / messages:.2f} per message)",
        f"database bytes per relayed message: {(sizes.full - sizes.empty) / messages:,.1f} "
        f"(less the empty schema); {(sizes.full - sizes.warm) / messages:,.1f} marginal "
        f"(less the warmed-up desk); files grow by whole pages, so ± "
        f"{sizes.page_size / messages:,.1f}",
    ]
    if sizes.by_table:
        lines.append("by table and index (dbstat): " + ", ".join(
            f"{name} {size:,}" for name, size in sizes.by_table.items()))
    verdict = "every message exactly once, in order" if sizes.delivery.ok else (
        "FAILED: " + sizes.delivery.summary())
    lines.append(f"delivery: {verdict}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_bench_args(bench_parser("atendimento bench size", __doc__, "relayed"), argv)
    with scratch() as directory:
        sizes = asyncio.run(run(args.messages, args.clients, not args.lax, Path(directory)))
    print("\n".join(report(args.messages, args.clients, sizes)))
    if not sizes.delivery.ok:
        print("size bench: messages lost, duplicated or out of order", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
