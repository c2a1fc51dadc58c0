"""A user blueprint's accept path is reached (new-user report 10, finding 13): for a blueprint with
Python jobs, the submit_result recipe answers with the job's own handler half the time, so a
correct manager accepts results; random values of the declared types never were the right answer."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from simulations.fuzz import FuzzConfig, World, run_worker
from simulations.fuzz.fields import HONEST_SHARE, honest_result, python_job
from simulations.fuzz.recipes import submit_job_result
from simulations.fuzz.values import LiveState

sys.path.insert(0, str(Path(__file__).parent))


def test_a_correct_manager_accepts_results_in_a_campaign() -> None:
    result = run_worker(FuzzConfig(seed=3, steps=3_000, runtime="worlds:checked_squaring_world", run_length=100))
    assert not result.failures, [f.summary() for f in result.failures]
    accepted = result.coverage.service_successes[("Services.submit_result", 1)]
    sent = result.coverage.service_calls[("Services.submit_result", 1)]
    assert sent > 10 and accepted > 0, (sent, accepted)  # was 0 of every one sent: only the reject path ran


def test_the_honest_answer_is_the_handlers_and_the_kits_blueprint_has_none() -> None:
    world = World(FuzzConfig(runtime="worlds:checked_squaring_world"))
    rt = world.reset()
    rt.dispatch("Eve", "Services", "call", {"service_id": 1, "job": 0, "args": [{"Uint64": 12}]})
    [(key, job_call)] = [(k, v) for k, v in rt.pallets["Services"].storage.JobCalls.items() if k[0] == 1]
    job = python_job(rt, 1, 0)
    assert job is not None and python_job(rt, 0, 0) is None  # the kit's service 0: a raw blueprint, no handler
    operator = rt.pallets["Services"].storage.Instances.get(1).operators()[0]
    assert honest_result(rt, job, 1, key[1], job_call, operator) == [{"Uint64": 144}]
    steps = [submit_job_result(random.Random(i), rt, LiveState()) for i in range(200)]
    honest = [s for s in steps if s is not None and s[4]["service_id"] == 1 and s[4]["result"] == [{"Uint64": 144}]]
    mine = [s for s in steps if s is not None and s[4]["service_id"] == 1]
    assert abs(len(honest) / len(mine) - HONEST_SHARE) < 0.15, (len(honest), len(mine))
