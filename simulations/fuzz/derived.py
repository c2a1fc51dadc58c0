"""Accounts a program derives at run time, kept consistent while the shrinker cuts the program.

A pure proxy's address is a hash of its spawner, type, index *and the block and extrinsic index
that created it* (pallet_proxy's ``pure_account``). A program records the address it saw, so
dropping any earlier step (a call, a wait) moves the creation and the later steps that use the
address (funding it, its own calls, ``kill_pure``'s coordinates) no longer reach it: the shrinker
could not drop a single step before a ``create_pure`` that matters. :class:`DerivedAccounts`
rebases a candidate as it runs: the k-th pure account the candidate creates stands for the k-th
one of the program it was cut from, and later steps are rewritten to use it.

Job call ids move the same way: ``Services.call`` takes the next id of a counter, so dropping an
earlier job call renumbers every later one, and a ``submit_result`` naming its call by id then
answered a different call (or none): the shrinker had to keep the unrelated job call. Each
``Services.call`` step is remembered with the id it got in the run the candidate was cut from;
when it gets another id, later steps naming ``(service_id, call_id)`` are rewritten to the new one.
"""

from __future__ import annotations

from typing import Any

from simulations.fuzz.program import Step

#: (pure, spawner, height, extrinsic index) of one creation
Creation = tuple[str, str, int, int]
#: (service_id, call_id) of one job call
JobCall = tuple[int, int]


class DerivedAccounts:
    """Rewrites a candidate's steps while it runs; ``steps`` is what actually ran (rewritten) and
    ``creations`` the pure accounts it made, for the next candidate cut from it."""

    def __init__(self, before: list[Creation] | None = None, before_calls: dict[int, JobCall] | None = None) -> None:
        self.before = list(before or [])
        self.creations: list[Creation] = []
        self.steps: list[Step] = []
        #: id() of a ``Services.call`` step of the program this candidate was cut from -> the job
        #: call it made there (the step objects are shared with the candidate, and alive)
        self.before_calls = before_calls or {}
        #: the same for this run, keyed by the steps in :attr:`steps` (see :meth:`job_calls_of`)
        self.job_calls: dict[int, JobCall] = {}
        self._alias: dict[str, str] = {}
        self._coords: dict[tuple[str, int, int], tuple[int, int]] = {}  # (spawner, height, ext) before -> after
        self._call_alias: dict[JobCall, int] = {}  # (service_id, call_id) before -> call_id now
        self._original: Step | None = None  # the candidate's step now running, before rewriting

    def rewrite(self, step: Step) -> Step:
        self._original = step
        if self._alias and step[0] in ("call", "bad"):
            params = _swap(step[4], self._alias)
            if step[2] == "Proxy" and step[3] == "kill_pure" and isinstance(params, dict):
                params = self._kill_coords(params)
            step = [step[0], self._alias.get(step[1], step[1]) if isinstance(step[1], str) else step[1], step[2], step[3], params]
        if self._call_alias and step[0] in ("call", "bad") and step[2] == "Services" and type(step[4]) is dict:
            params = step[4]
            service_id, call_id = params.get("service_id"), params.get("call_id")
            # a hostile ("bad") step's ids may be anything (a dict, a list): only integer ids can
            # name a job call, and looking anything else up would raise "unhashable type"
            moved = self._call_alias.get((service_id, call_id)) if type(service_id) is int and type(call_id) is int else None
            if moved is not None:
                step = [*step[:4], {**params, "call_id": moved}]
        self.steps.append(step)
        return step

    def job_calls_of(self, kept: list[Step]) -> dict[int, JobCall]:
        """:attr:`job_calls` of the steps in ``kept`` only (ids of steps cut off could be reused)."""
        calls = self.job_calls
        return {id(s): calls[id(s)] for s in kept if id(s) in calls}

    def observe(self, ex: Any) -> None:
        """After a step ran: record the pure accounts it created, and alias those of the program
        this candidate was cut from (by creation order); record the job call a ``Services.call``
        made and alias the id it had in that program."""
        for ev in ex.last_events:
            if ev.spec.pallet == "Services" and ev.spec.name == "JobCalled" and self.steps and self.steps[-1][2:4] == ["Services", "call"]:
                made = (ev["service_id"], ev["call_id"])
                self.job_calls[id(self.steps[-1])] = made
                old = self.before_calls.get(id(self._original))
                if old is not None and old != made:
                    self._call_alias[old] = made[1]
            elif ev.spec.pallet == "Proxy" and ev.spec.name == "PureCreated":
                record = ex.rt.call_log[-1]  # the extrinsic that created it (nested calls included)
                creation = (ev["pure"], ev["who"], record.block, record.index)
                k = len(self.creations)
                self.creations.append(creation)
                if k < len(self.before):
                    old = self.before[k]
                    if old[0] != creation[0]:
                        self._alias[old[0]] = creation[0]
                        self._coords[(old[1], old[2], old[3])] = (creation[2], creation[3])

    def _kill_coords(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (params.get("spawner"), params.get("height"), params.get("ext_index"))
        moved = self._coords.get(key)  # type: ignore[arg-type]
        if moved is None:
            return params
        return {**params, "height": moved[0], "ext_index": moved[1]}


def _swap(value: Any, alias: dict[str, str]) -> Any:
    if isinstance(value, str):
        return alias.get(value, value)
    if isinstance(value, list):
        return [_swap(v, alias) for v in value]
    if isinstance(value, dict):
        return {k: _swap(v, alias) for k, v in value.items()}
    return value
