"""Story: the desk, in its own process, is killed with SIGKILL again and again during a burst
both ways; every message still reaches the other side exactly once, in the order written."""

from __future__ import annotations

from atendimento.bench.crash import CrashPlan, replay_command, report, run_trials
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
