"""pallet_collective's dispatchables for the Council (Instance1; polkadot-sdk stable2407,
pallet-collective 37.0.0; ``DefaultVote = PrimeDefaultVote``; SetMembers/Disapprove origin Root).

Motions dispatch with ``Members(yes, seats)``, so the origin carries the real aye count: a motion
proposed with a low threshold cannot satisfy a stricter origin. ``execute`` dispatches with
``Member(who)``. The threshold origins other pallets check are in :mod:`runtime.origin`
(``ensure_proportion_more_than``, ``ensure_proportion_at_least``, ``ensure_collective_member``)."""

from __future__ import annotations

import dataclasses

from runtime.accounts import account_bytes
from runtime.calls import CALL_REGISTRY, Call, RuntimeCall
from runtime.origin import CollectiveOrigin, Origin, ensure_root, ensure_signed
from runtime.pallet import call
from runtime.primitives import H256, U32, AccountId, Bool, CompactU32

from pallets.collective.errors import Error
from pallets.collective.events import Event
from pallets.collective.types import Votes
from pallets.primitives.dispatch import Weight, call_hash, error_name, scale_call, try_dispatch


def _weight(c: RuntimeCall) -> int:
    return CALL_REGISTRY[(c.call_module, c.call_function)].weight


class Calls:
    # ------------------------------------------------------------------ membership (ChangeMembers)
    def members(self) -> tuple[str, ...]:
        return self.storage.Members.value()  # type: ignore[attr-defined]

    def prime(self) -> str | None:
        return self.storage.Prime.value()  # type: ignore[attr-defined]

    def is_member(self, who: str) -> bool:
        return who in self.members()

    def change_members_sorted(self, outgoing: set[str], new: tuple[str, ...]) -> None:
        """Outgoing members' votes leave every open motion; the prime is cleared."""
        for h in self.storage.Proposals.value():  # type: ignore[attr-defined]
            votes = self.storage.Voting.get(h)  # type: ignore[attr-defined]
            if votes is not None:
                self.storage.Voting.insert(h, dataclasses.replace(  # type: ignore[attr-defined]
                    votes, ayes=tuple(a for a in votes.ayes if a not in outgoing), nays=tuple(a for a in votes.nays if a not in outgoing)))
        self.storage.Members.put(new)  # type: ignore[attr-defined]
        self.storage.Prime.kill()  # type: ignore[attr-defined]

    def set_members_sorted(self, new: tuple[str, ...], prime: str | None = None) -> None:
        old = set(self.members())
        self.change_members_sorted(old - set(new), new)
        if prime is not None:
            self.storage.Prime.put(prime)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ motions
    def _ensure_member(self, origin: Origin) -> str:
        who = ensure_signed(origin)
        if not self.is_member(who):
            raise Error.NotMember()
        return who

    def _checked(self, proposal: RuntimeCall, length_bound: int) -> bytes:
        if len(scale_call(proposal)) > length_bound:
            raise Error.WrongProposalLength()
        if _weight(proposal) > self.consts.MaxProposalWeight:  # type: ignore[attr-defined]
            raise Error.WrongProposalWeight()
        h = call_hash(proposal)
        if h in self.storage.ProposalOf:  # type: ignore[attr-defined]
            raise Error.DuplicateProposal()
        return h

    def remove_proposal(self, h: bytes) -> None:
        self.storage.ProposalOf.remove(h)  # type: ignore[attr-defined]
        self.storage.Voting.remove(h)  # type: ignore[attr-defined]
        self.storage.Proposals.put(tuple(p for p in self.storage.Proposals.value() if p != h))  # type: ignore[attr-defined]

    def do_approve(self, seats: int, yes: int, h: bytes, proposal: RuntimeCall) -> None:
        self.deposit_event(Event.Approved(h))  # type: ignore[attr-defined]
        err = try_dispatch(self.ctx, CollectiveOrigin(self.name, yes, seats), proposal)  # type: ignore[attr-defined]
        self.deposit_event(Event.Executed(h, error_name(err)))  # type: ignore[attr-defined]
        self.remove_proposal(h)

    def do_disapprove(self, h: bytes) -> None:
        self.deposit_event(Event.Disapproved(h))  # type: ignore[attr-defined]
        self.remove_proposal(h)

    def validate_and_get_proposal(self, h: bytes, length_bound: int, weight_bound: Weight) -> RuntimeCall:
        proposal = self.storage.ProposalOf.get(h)  # type: ignore[attr-defined]
        if proposal is None:
            raise Error.ProposalMissing()
        if len(scale_call(proposal)) > length_bound:
            raise Error.WrongProposalLength()
        if _weight(proposal) > weight_bound.ref_time:
            raise Error.WrongProposalWeight()
        return proposal

    # ------------------------------------------------------------------ calls
    @call(0)
    def set_members(self, origin: Origin, new_members: tuple[AccountId, ...], prime: AccountId | None, old_count: U32) -> None:
        ensure_root(origin)
        if prime is not None and prime not in new_members:
            raise Error.PrimeAccountNotMember()
        self.set_members_sorted(tuple(sorted(set(new_members), key=account_bytes)), prime)

    @call(1)
    def execute(self, origin: Origin, proposal: Call, length_bound: CompactU32) -> None:
        who = self._ensure_member(origin)
        if len(scale_call(proposal)) > length_bound:
            raise Error.WrongProposalLength()
        err = try_dispatch(self.ctx, CollectiveOrigin(self.name, member=who), proposal)  # type: ignore[attr-defined]
        self.deposit_event(Event.MemberExecuted(call_hash(proposal), error_name(err)))  # type: ignore[attr-defined]

    @call(2)
    def propose(self, origin: Origin, threshold: CompactU32, proposal: Call, length_bound: CompactU32) -> None:
        who = self._ensure_member(origin)
        h = self._checked(proposal, length_bound)
        if threshold < 2:
            err = try_dispatch(self.ctx, CollectiveOrigin(self.name, 1, len(self.members())), proposal)  # type: ignore[attr-defined]
            self.deposit_event(Event.Executed(h, error_name(err)))  # type: ignore[attr-defined]
            return
        proposals = self.storage.Proposals.value()  # type: ignore[attr-defined]
        if len(proposals) >= self.consts.MaxProposals:  # type: ignore[attr-defined]
            raise Error.TooManyProposals()
        self.storage.Proposals.put(proposals + (h,))  # type: ignore[attr-defined]
        index = self.storage.ProposalCount.value()  # type: ignore[attr-defined]
        self.storage.ProposalCount.put(index + 1)  # type: ignore[attr-defined]
        self.storage.ProposalOf.insert(h, proposal)  # type: ignore[attr-defined]
        end = self.block_number + self.consts.MotionDuration  # type: ignore[attr-defined]
        self.storage.Voting.insert(h, Votes(index, threshold, (), (), end))  # type: ignore[attr-defined]
        self.deposit_event(Event.Proposed(who, index, h, threshold))  # type: ignore[attr-defined]

    @call(3)
    def vote(self, origin: Origin, proposal: H256, index: CompactU32, approve: Bool) -> None:
        who = self._ensure_member(origin)
        votes = self.storage.Voting.get(proposal)  # type: ignore[attr-defined]
        if votes is None:
            raise Error.ProposalMissing()
        if votes.index != index:
            raise Error.WrongIndex()
        ayes, nays = list(votes.ayes), list(votes.nays)
        mine, other = (ayes, nays) if approve else (nays, ayes)
        if who in mine:
            raise Error.DuplicateVote()
        mine.append(who)
        if who in other:  # swap_remove, as upstream
            pos = other.index(who)
            other[pos] = other[-1]
            other.pop()
        self.deposit_event(Event.Voted(who, proposal, approve, len(ayes), len(nays)))  # type: ignore[attr-defined]
        self.storage.Voting.insert(proposal, dataclasses.replace(votes, ayes=tuple(ayes), nays=tuple(nays)))  # type: ignore[attr-defined]

    @call(5)
    def disapprove_proposal(self, origin: Origin, proposal_hash: H256) -> None:
        ensure_root(origin)
        self.do_disapprove(proposal_hash)

    @call(6)
    def close(self, origin: Origin, proposal_hash: H256, index: CompactU32, proposal_weight_bound: Weight, length_bound: CompactU32) -> None:
        ensure_signed(origin)
        votes = self.storage.Voting.get(proposal_hash)  # type: ignore[attr-defined]
        if votes is None:
            raise Error.ProposalMissing()
        if votes.index != index:
            raise Error.WrongIndex()
        yes, no = len(votes.ayes), len(votes.nays)
        seats = len(self.members())
        if yes >= votes.threshold or seats - no < votes.threshold:
            early_approve = yes >= votes.threshold
        else:
            if self.block_number < votes.end:  # type: ignore[attr-defined]
                raise Error.TooEarly()
            prime = self.prime()
            abstentions = max(seats - yes - no, 0)
            if prime is not None and prime in votes.ayes:  # PrimeDefaultVote
                yes += abstentions
            else:
                no += abstentions
            early_approve = yes >= votes.threshold
        if early_approve:
            proposal = self.validate_and_get_proposal(proposal_hash, length_bound, proposal_weight_bound)
            self.deposit_event(Event.Closed(proposal_hash, yes, no))  # type: ignore[attr-defined]
            self.do_approve(seats, yes, proposal_hash, proposal)
        else:
            self.deposit_event(Event.Closed(proposal_hash, yes, no))  # type: ignore[attr-defined]
            self.do_disapprove(proposal_hash)
