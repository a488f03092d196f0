"""Story: the desk, in its own process, is killed with SIGKILL again and again during a burst
both ways; every message still reaches the other side exactly once, in the order written."""

from __future__ import annotations

import dataclasses

from atendimento.bench.crash import (
    INTERCEPTED,
    TO_CLIENT,
    TO_THREAD,
    CrashPlan,
    replay_command,
    report,
    run_trials,
)
from atendimento.bench.harness import describe

# Small enough for a few seconds; `atendimento bench crash` runs the same with more of each.
PLAN = CrashPlan(clients=4, attendants=1, messages=10, comments=5, trials=3, seed=20240601,
                 deadline=30.0, poll=0.02, quiet=0.2)


async def test_a_desk_killed_during_a_burst_relays_every_message_once_in_order(
        database_url, tmp_path):
    result = await run_trials(database_url, tmp_path, PLAN)

    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    figures = "\n".join(report(result, describe(database_url),
                               replay_command(PLAN, f"--database {kind}")))
    total = result.total
    assert total.sent == PLAN.clients * (PLAN.messages + PLAN.comments)
    assert [trial.exit_code for trial in result.trials[:-1]] == [-9] * PLAN.trials
    assert (total.lost, total.duplicated, total.out_of_order) == (0, 0, 0), figures
    assert (result.misplaced, result.spurious, result.extra_cards) == (0, 0, 0), figures
    assert result.unimplemented == [], "the desk called raw methods the sandbox lacks"


async def test_in_parallel_mode_what_the_existing_bot_sends_meanwhile_is_copied_once_in_order(
        database_url, tmp_path):
    plan = dataclasses.replace(PLAN, parallel=True, bot_messages=5, clients=3)
    result = await run_trials(database_url, tmp_path, plan)

    figures = "\n".join(report(result, describe(database_url), replay_command(plan)))
    assert set(result.directions) == {TO_THREAD, TO_CLIENT, INTERCEPTED}
    assert result.directions[INTERCEPTED].sent == plan.clients * plan.bot_messages
    assert [trial.exit_code for trial in result.trials[:-1]] == [-9] * plan.trials
    total = result.total
    assert (total.lost, total.duplicated, total.out_of_order) == (0, 0, 0), figures
    assert (result.misplaced, result.spurious, result.extra_cards) == (0, 0, 0), figures
