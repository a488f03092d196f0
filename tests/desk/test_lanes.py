"""Lanes keep per-key order, run keys concurrently, survive failures, and report idleness."""

from __future__ import annotations

import asyncio

import pytest

from atendimento.desk.lanes import Lanes
from atendimento.tasks import Background


@pytest.fixture
async def lanes():
    background = Background()
    yield Lanes(background)
    await background.close()


async def test_jobs_of_one_key_run_in_order_and_keys_interleave(lanes):
    events: list[str] = []
    gate = asyncio.Event()

    def job(name: str, wait: bool = False):
        async def run():
            events.append(f"start {name}")
            if wait:
                await gate.wait()
            events.append(f"end {name}")
            return name
        return run

    a1 = lanes.submit("a", job("a1", wait=True))
    a2 = lanes.submit("a", job("a2"))
    b1 = lanes.submit("b", job("b1"))
    assert await b1 == "b1"  # b is not held up by a's slow job
    assert "start a2" not in events
    gate.set()
    assert [await a1, await a2] == ["a1", "a2"]
    assert events.index("end a1") < events.index("start a2")
    await lanes.idle()
    assert lanes.busy == 0


async def test_a_failing_job_is_reported_and_the_lane_goes_on(lanes, caplog):
    async def boom():
        raise RuntimeError("boom")

    async def fine():
        return 42

    failed = lanes.submit("k", boom)
    after = lanes.submit("k", fine)
    with pytest.raises(RuntimeError):
        await failed
    assert await after == 42
    assert "job failed" in caplog.text


async def test_closing_cancels_pending_work():
    background = Background()
    lanes = Lanes(background)
    never = asyncio.Event()

    async def stuck():
        await never.wait()

    first = lanes.submit("k", stuck)
    second = lanes.submit("k", stuck)
    await asyncio.sleep(0)
    await background.close()
    assert first.cancelled() and second.cancelled()
    assert len(background) == 0
