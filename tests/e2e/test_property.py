"""Property: whatever the interleaving of clients and attendants, every client receives exactly
the team's messages of their own thread, in order, and every thread holds exactly its client's
messages, in order."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atendimento.sandbox import Sandbox

from .conftest import RunningDesk, card_of

CLIENTS, ATTENDANTS = 3, 2

actions = st.lists(
    st.one_of(
        st.tuples(st.just("client"), st.integers(0, CLIENTS - 1)),
        st.tuples(st.just("team"), st.integers(0, ATTENDANTS - 1), st.integers(0, CLIENTS - 1)),
        st.tuples(st.just("settle")),
    ),
    min_size=1, max_size=25,
)


async def play(steps) -> None:
    with tempfile.TemporaryDirectory() as directory:
        sandbox = Sandbox(strict=True)
        await sandbox.start()
        desk = RunningDesk(sandbox, Path(directory), f"sqlite:///{directory}/desk.db")
        await desk.start()
        try:
            clients = [sandbox.client(f"Cliente {n}") for n in range(CLIENTS)]
            team = [sandbox.team_member(f"Atendente {n}") for n in range(ATTENDANTS)]
            written = {c.id: [] for c in clients}  # by the client, in order
            answered = {c.id: [] for c in clients}  # by the team, in order
            serial = itertools.count()
            for step in steps:
                if step[0] == "settle":
                    await desk.settle()
                elif step[0] == "client":
                    client = clients[step[1]]
                    text = f"c{client.id}-{next(serial)}"
                    client.send(text)
                    written[client.id].append(text)
                else:
                    attendant, client = team[step[1]], clients[step[2]]
                    if not written[client.id]:
                        continue  # no thread to answer in yet
                    await desk.settle()  # the card must exist before anyone can comment
                    text = f"t{client.id}-{next(serial)}"
                    attendant.comment(card_of(sandbox, client), text)
                    answered[client.id].append(text)
            await desk.settle()
            for client in clients:
                received = [m.text for m in client.chat() if m.from_bot]
                assert received == answered[client.id]
                if written[client.id]:
                    thread = sandbox.thread(card_of(sandbox, client))
                    from_client = [m.text for m in thread if m.from_bot
                                   and m.text.startswith("c")]
                    assert from_client == written[client.id]
                else:
                    assert not [p for p in sandbox.posts() if f"#c{client.id}" in p.text]
        finally:
            await desk.stop()
            await sandbox.close()


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=actions)
def test_each_client_gets_exactly_their_threads_answers_in_order(steps):
    asyncio.run(play(steps))
