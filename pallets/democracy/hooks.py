"""``on_initialize`` (``begin_block``): every LaunchPeriod table the next proposal (public and
external alternate), then bake the referenda ending now; a passed one is scheduled in the Scheduler
as the named task (b"democrac", index), at ``now + max(delay, 1)``, priority 63, origin Root."""

from __future__ import annotations

from runtime.errors import DispatchError
from runtime.origin import ROOT

from pallets.democracy.events import Event
from pallets.democracy.types import MetadataOwner, ReferendumInfo, ReferendumStatus, VoteThreshold, approved
from pallets.democracy.types import Finished

DEMOCRACY_ID = b"democrac"


def task_name(ref_index: int) -> bytes:
    """``(DEMOCRACY_ID, index).encode_into()``: 8 bytes, u32 LE, zero-padded to 32."""
    return (DEMOCRACY_ID + ref_index.to_bytes(4, "little")).ljust(32, b"\0")


class Hooks:
    def next_hook_block(self, after: int) -> int:
        """The first block >= ``after`` whose ``on_initialize`` may act: the next LaunchPeriod
        boundary (tabling, and resetting ``LastTabledWasExternal``), the end of an ongoing referendum
        (baking), or ``after`` itself while ``LowestUnbaked`` points at a referendum that is no
        longer ongoing (cancelled: the next block advances it). Lets the runtime cross idle blocks."""
        period = self.consts.LaunchPeriod  # type: ignore[attr-defined]
        nxt = after + (-after) % period
        first = self.storage.LowestUnbaked.value()  # type: ignore[attr-defined]
        last = self.storage.ReferendumCount.value()  # type: ignore[attr-defined]
        for index in range(first, last):
            info = self.storage.ReferendumInfoOf.get(index)  # type: ignore[attr-defined]
            if info is None or info.name != "Ongoing":
                if index == first:
                    return after
                continue
            if info.value.end <= after:
                return after
            nxt = min(nxt, info.value.end)
        return nxt

    def on_initialize(self, n: int) -> None:
        first = self.storage.LowestUnbaked.value()  # type: ignore[attr-defined]
        last = self.storage.ReferendumCount.value()  # type: ignore[attr-defined]
        if n % self.consts.LaunchPeriod == 0:  # type: ignore[attr-defined]
            self.launch_next(n)
        for index in range(first, last):
            info = self.storage.ReferendumInfoOf.get(index)  # type: ignore[attr-defined]
            if info is not None and info.name == "Ongoing" and info.value.end == n:
                ok = self.bake_referendum(n, index, info.value)
                self.storage.ReferendumInfoOf.insert(index, ReferendumInfo.Finished(Finished(ok, n)))  # type: ignore[attr-defined]
        lowest = first
        last = self.storage.ReferendumCount.value()  # type: ignore[attr-defined]
        while lowest < last:
            info = self.storage.ReferendumInfoOf.get(lowest)  # type: ignore[attr-defined]
            if info is not None and info.name == "Ongoing":
                break
            lowest += 1
        if lowest != first:
            self.storage.LowestUnbaked.put(lowest)  # type: ignore[attr-defined]

    def launch_next(self, now: int) -> bool:
        last_external = self.storage.LastTabledWasExternal.value()  # type: ignore[attr-defined]
        self.storage.LastTabledWasExternal.kill()  # type: ignore[attr-defined]
        order = (self.launch_public, self.launch_external) if last_external else (self.launch_external, self.launch_public)
        return any(launch(now) for launch in order)

    def launch_external(self, now: int) -> bool:
        ext = self.storage.NextExternal.value()  # type: ignore[attr-defined]
        if ext is None:
            return False
        self.storage.NextExternal.kill()  # type: ignore[attr-defined]
        self.storage.LastTabledWasExternal.put(True)  # type: ignore[attr-defined]
        self.deposit_event(Event.ExternalTabled())  # type: ignore[attr-defined]
        c = self.consts  # type: ignore[attr-defined]
        ref_index = self.inject_referendum(now + c.VotingPeriod, ext[0], ext[1], c.EnactmentPeriod)  # type: ignore[attr-defined]
        self.transfer_metadata(MetadataOwner.External, MetadataOwner.Referendum(ref_index))  # type: ignore[attr-defined]
        return True

    def backing_for(self, prop_index: int) -> int:
        d = self.storage.DepositOf.get(prop_index)  # type: ignore[attr-defined]
        return 0 if d is None else d[1] * len(d[0])

    def launch_public(self, now: int) -> bool:
        props = list(self.storage.PublicProps.value())  # type: ignore[attr-defined]
        if not props:
            return False
        winner = 0
        for i, p in enumerate(props):  # max_by_key keeps the last maximum
            if self.backing_for(p[0]) >= self.backing_for(props[winner][0]):
                winner = i
        prop_index, proposal, _ = props[winner]
        props[winner] = props[-1]  # swap_remove
        props.pop()
        self.storage.PublicProps.put(tuple(props))  # type: ignore[attr-defined]
        taken = self.storage.DepositOf.take(prop_index)  # type: ignore[attr-defined]
        if taken is not None:
            depositors, deposit = taken
            for d in depositors:
                self.currency.unreserve(d, deposit)  # type: ignore[attr-defined]
            self.deposit_event(Event.Tabled(prop_index, deposit))  # type: ignore[attr-defined]
            c = self.consts  # type: ignore[attr-defined]
            ref_index = self.inject_referendum(now + c.VotingPeriod, proposal, VoteThreshold.SuperMajorityApprove, c.EnactmentPeriod)  # type: ignore[attr-defined]
            self.transfer_metadata(MetadataOwner.Proposal(prop_index), MetadataOwner.Referendum(ref_index))  # type: ignore[attr-defined]
        return True

    def bake_referendum(self, now: int, index: int, status: ReferendumStatus) -> bool:
        ok = approved(status.threshold, status.tally, self.currency.total_issuance())  # type: ignore[attr-defined]
        if not ok:
            self.deposit_event(Event.NotPassed(index))  # type: ignore[attr-defined]
            return False
        self.deposit_event(Event.Passed(index))  # type: ignore[attr-defined]
        when = now + max(status.delay, 1)
        try:  # a failure (agenda full, name taken) is only logged on chain: nothing is enacted
            self.ctx.transactional(lambda: self.scheduler.do_schedule(when, None, 63, ROOT, status.proposal, name=task_name(index)))  # type: ignore[attr-defined]
        except DispatchError:
            pass
        return True
