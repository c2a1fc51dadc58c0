"""pallet_democracy's dispatchables with the testnet's origins (T:lib.rs ``impl pallet_democracy::Config``:
External >=1/2, ExternalMajority >=3/4, ExternalDefault and Instant unanimous, FastTrack and
Cancellation >=2/3 of the Council; CancelProposal Root or unanimous; Veto one member via
``Council.execute``; Blacklist and cancel_referendum Root)."""

from __future__ import annotations

from runtime.errors import BadOrigin
from runtime.origin import Origin, ensure_collective_member, ensure_proportion_at_least, ensure_root, ensure_signed
from runtime.pallet import call
from runtime.primitives import H256, U32, U64, Balance, CompactBalance, CompactU32, MultiAddress

from pallets.democracy.errors import Error
from pallets.democracy.events import Event
from pallets.democracy.types import AccountVote, Conviction, MetadataOwner, ReferendumInfo, VoteThreshold
from pallets.primitives.bounded import Bounded
from pallets.treasury import on_unbalanced

U64_MAX = 2**64 - 1


def ensure_external_origin(threshold: VoteThreshold, origin: Origin) -> None:
    """The origin that may set ``NextExternal`` with this threshold."""
    if threshold.name == "SuperMajorityApprove":
        ensure_proportion_at_least(origin, 1, 2)
    elif threshold.name == "SimpleMajority":
        ensure_proportion_at_least(origin, 3, 4)
    else:
        ensure_proportion_at_least(origin, 1, 1)


class Calls:
    # ------------------------------------------------------------------ helpers
    def _blacklisted(self, h: bytes) -> None:
        entry = self.storage.Blacklist.get(h)  # type: ignore[attr-defined]
        if entry is not None and self.block_number < entry[0]:  # type: ignore[attr-defined]
            raise Error.ProposalBlacklisted()

    def _slash_deposits(self, prop_index: int) -> None:
        taken = self.storage.DepositOf.take(prop_index)  # type: ignore[attr-defined]
        if taken is not None:
            whos, amount = taken
            for who in whos:  # T::Slash = Treasury: each deposit slashed, then handed to the Treasury on its own
                on_unbalanced(self.currency, self.deposit_event, self.currency.slash_reserved(who, amount))  # type: ignore[attr-defined]

    def clear_metadata(self, owner: MetadataOwner) -> None:
        h = self.storage.MetadataOf.take(owner)  # type: ignore[attr-defined]
        if h is not None:
            self.deposit_event(Event.MetadataCleared(owner, h))  # type: ignore[attr-defined]

    def transfer_metadata(self, owner: MetadataOwner, new_owner: MetadataOwner) -> None:
        h = self.storage.MetadataOf.take(owner)  # type: ignore[attr-defined]
        if h is not None:
            self.storage.MetadataOf.insert(new_owner, h)  # type: ignore[attr-defined]
            self.deposit_event(Event.MetadataTransferred(owner, new_owner, h))  # type: ignore[attr-defined]

    def inject_referendum(self, end: int, proposal: Bounded, threshold: VoteThreshold, delay: int) -> int:
        from pallets.democracy.types import ReferendumStatus, Tally

        ref_index = self.storage.ReferendumCount.value()  # type: ignore[attr-defined]
        self.storage.ReferendumCount.put(ref_index + 1)  # type: ignore[attr-defined]
        self.storage.ReferendumInfoOf.insert(ref_index, ReferendumInfo.Ongoing(ReferendumStatus(end, proposal, threshold, delay, Tally(0, 0, 0))))  # type: ignore[attr-defined]
        self.deposit_event(Event.Started(ref_index, threshold))  # type: ignore[attr-defined]
        return ref_index

    def internal_cancel_referendum(self, ref_index: int) -> None:
        self.deposit_event(Event.Cancelled(ref_index))  # type: ignore[attr-defined]
        self.storage.ReferendumInfoOf.remove(ref_index)  # type: ignore[attr-defined]
        self.clear_metadata(MetadataOwner.Referendum(ref_index))

    def _proposer_of(self, index: int) -> str:
        for i, _, proposer in self.storage.PublicProps.value():  # type: ignore[attr-defined]
            if i == index:
                return proposer
        raise Error.ProposalMissing()

    # ------------------------------------------------------------------ public proposals
    @call(0)
    def propose(self, origin: Origin, proposal: Bounded, value: CompactBalance) -> None:
        who = ensure_signed(origin)
        if value < self.consts.MinimumDeposit:  # type: ignore[attr-defined]
            raise Error.ValueLow()
        index = self.storage.PublicPropCount.value()  # type: ignore[attr-defined]
        props = self.storage.PublicProps.value()  # type: ignore[attr-defined]
        if len(props) >= self.consts.MaxProposals:  # type: ignore[attr-defined]
            raise Error.TooMany()
        self._blacklisted(proposal.hash())
        self.currency.reserve(who, value)  # type: ignore[attr-defined]
        self.storage.DepositOf.insert(index, ((who,), value))  # type: ignore[attr-defined]
        self.storage.PublicPropCount.put(index + 1)  # type: ignore[attr-defined]
        self.storage.PublicProps.put(props + ((index, proposal, who),))  # type: ignore[attr-defined]
        self.deposit_event(Event.Proposed(index, value))  # type: ignore[attr-defined]

    @call(1)
    def second(self, origin: Origin, proposal: CompactU32) -> None:
        who = ensure_signed(origin)
        deposit = self.storage.DepositOf.get(proposal)  # type: ignore[attr-defined]
        if deposit is None:
            raise Error.ProposalMissing()
        if len(deposit[0]) >= self.consts.MaxDeposits:  # type: ignore[attr-defined]
            raise Error.TooMany()
        self.currency.reserve(who, deposit[1])  # type: ignore[attr-defined]
        self.storage.DepositOf.insert(proposal, (deposit[0] + (who,), deposit[1]))  # type: ignore[attr-defined]
        self.deposit_event(Event.Seconded(who, proposal))  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ voting
    @call(2)
    def vote(self, origin: Origin, ref_index: CompactU32, vote: AccountVote) -> None:
        self.try_vote(ensure_signed(origin), ref_index, vote)  # type: ignore[attr-defined]

    @call(3)
    def emergency_cancel(self, origin: Origin, ref_index: U32) -> None:
        ensure_proportion_at_least(origin, 2, 3)  # CancellationOrigin
        status = self._status(ref_index)  # type: ignore[attr-defined]
        h = status.proposal.hash()
        if self.storage.Cancellations.get(h):  # type: ignore[attr-defined]
            raise Error.AlreadyCanceled()
        self.storage.Cancellations.insert(h, True)  # type: ignore[attr-defined]
        self.internal_cancel_referendum(ref_index)

    # ------------------------------------------------------------------ external proposals
    @call(4)
    def external_propose(self, origin: Origin, proposal: Bounded) -> None:
        ensure_proportion_at_least(origin, 1, 2)
        if self.storage.NextExternal.value() is not None:  # type: ignore[attr-defined]
            raise Error.DuplicateProposal()
        self._blacklisted(proposal.hash())
        self.storage.NextExternal.put((proposal, VoteThreshold.SuperMajorityApprove))  # type: ignore[attr-defined]

    @call(5)
    def external_propose_majority(self, origin: Origin, proposal: Bounded) -> None:
        ensure_proportion_at_least(origin, 3, 4)
        self.storage.NextExternal.put((proposal, VoteThreshold.SimpleMajority))  # type: ignore[attr-defined]

    @call(6)
    def external_propose_default(self, origin: Origin, proposal: Bounded) -> None:
        ensure_proportion_at_least(origin, 1, 1)
        self.storage.NextExternal.put((proposal, VoteThreshold.SuperMajorityAgainst))  # type: ignore[attr-defined]

    @call(7)
    def fast_track(self, origin: Origin, proposal_hash: H256, voting_period: U64, delay: U64) -> None:
        """At least FastTrackVotingPeriod by >=2/3 of the Council; shorter (instant) by all of it."""
        c = self.consts  # type: ignore[attr-defined]
        needs_instant = voting_period < c.FastTrackVotingPeriod
        if not needs_instant:
            try:
                ensure_proportion_at_least(origin, 2, 3)
            except BadOrigin:  # not FastTrackOrigin: it must be InstantOrigin
                needs_instant = True
        if needs_instant:
            ensure_proportion_at_least(origin, 1, 1)
            if not c.InstantAllowed:
                raise Error.InstantNotAllowed()
        if voting_period == 0:
            raise Error.VotingPeriodLow()
        ext = self.storage.NextExternal.value()  # type: ignore[attr-defined]
        if ext is None:
            raise Error.ProposalMissing()
        proposal, threshold = ext
        if threshold.name == "SuperMajorityApprove":
            raise Error.NotSimpleMajority()
        if proposal_hash != proposal.hash():
            raise Error.InvalidHash()
        self.storage.NextExternal.kill()  # type: ignore[attr-defined]
        ref_index = self.inject_referendum(self.block_number + voting_period, proposal, threshold, delay)  # type: ignore[attr-defined]
        self.transfer_metadata(MetadataOwner.External, MetadataOwner.Referendum(ref_index))

    @call(8)
    def veto_external(self, origin: Origin, proposal_hash: H256) -> None:
        who = ensure_collective_member(origin)
        ext = self.storage.NextExternal.value()  # type: ignore[attr-defined]
        if ext is None:
            raise Error.NoProposal()
        if proposal_hash != ext[0].hash():
            raise Error.ProposalMissing()
        entry = self.storage.Blacklist.get(proposal_hash)  # type: ignore[attr-defined]
        vetoers = entry[1] if entry is not None else ()
        if who in vetoers:
            raise Error.AlreadyVetoed()
        if len(vetoers) >= self.consts.MaxBlacklisted:  # type: ignore[attr-defined]
            raise Error.TooMany()
        until = self.block_number + self.consts.CooloffPeriod  # type: ignore[attr-defined]
        self.storage.Blacklist.insert(proposal_hash, (until, tuple(sorted(vetoers + (who,)))))  # type: ignore[attr-defined]
        self.deposit_event(Event.Vetoed(who, proposal_hash, until))  # type: ignore[attr-defined]
        self.storage.NextExternal.kill()  # type: ignore[attr-defined]
        self.clear_metadata(MetadataOwner.External)

    # ------------------------------------------------------------------ Root's tools
    @call(9)
    def cancel_referendum(self, origin: Origin, ref_index: CompactU32) -> None:
        ensure_root(origin)
        self.internal_cancel_referendum(ref_index)

    @call(10)
    def delegate(self, origin: Origin, to: MultiAddress, conviction: Conviction, balance: Balance) -> None:
        self.try_delegate(ensure_signed(origin), to, conviction, balance)  # type: ignore[attr-defined]

    @call(11)
    def undelegate(self, origin: Origin) -> None:
        self.try_undelegate(ensure_signed(origin))  # type: ignore[attr-defined]

    @call(12)
    def clear_public_proposals(self, origin: Origin) -> None:
        ensure_root(origin)
        self.storage.PublicProps.kill()  # type: ignore[attr-defined]

    @call(13)
    def unlock(self, origin: Origin, target: MultiAddress) -> None:
        ensure_signed(origin)
        self.update_lock(target)  # type: ignore[attr-defined]

    @call(14)
    def remove_vote(self, origin: Origin, index: U32) -> None:
        self.try_remove_vote(ensure_signed(origin), index, True)  # type: ignore[attr-defined]

    @call(15)
    def remove_other_vote(self, origin: Origin, target: MultiAddress, index: U32) -> None:
        who = ensure_signed(origin)
        self.try_remove_vote(target, index, target == who)  # type: ignore[attr-defined]

    @call(16)
    def blacklist(self, origin: Origin, proposal_hash: H256, maybe_ref_index: U32 | None) -> None:
        ensure_root(origin)
        self.storage.Blacklist.insert(proposal_hash, (U64_MAX, ()))  # type: ignore[attr-defined]
        props = self.storage.PublicProps.value()  # type: ignore[attr-defined]
        for pos, (prop_index, proposal, _) in enumerate(props):
            if proposal.hash() == proposal_hash:
                self.storage.PublicProps.put(props[:pos] + props[pos + 1:])  # type: ignore[attr-defined]
                self._slash_deposits(prop_index)
                self.clear_metadata(MetadataOwner.Proposal(prop_index))
                break
        ext = self.storage.NextExternal.value()  # type: ignore[attr-defined]
        if ext is not None and ext[0].hash() == proposal_hash:
            self.storage.NextExternal.kill()  # type: ignore[attr-defined]
            self.clear_metadata(MetadataOwner.External)
        if maybe_ref_index is not None:
            info = self.storage.ReferendumInfoOf.get(maybe_ref_index)  # type: ignore[attr-defined]
            if info is not None and info.name == "Ongoing" and info.value.proposal.hash() == proposal_hash:
                self.internal_cancel_referendum(maybe_ref_index)
        self.deposit_event(Event.Blacklisted(proposal_hash))  # type: ignore[attr-defined]

    @call(17)
    def cancel_proposal(self, origin: Origin, prop_index: CompactU32) -> None:
        if not origin.is_root:
            ensure_proportion_at_least(origin, 1, 1)
        props = self.storage.PublicProps.value()  # type: ignore[attr-defined]
        self.storage.PublicProps.put(tuple(p for p in props if p[0] != prop_index))  # type: ignore[attr-defined]
        self._slash_deposits(prop_index)
        self.deposit_event(Event.ProposalCanceled(prop_index))  # type: ignore[attr-defined]
        self.clear_metadata(MetadataOwner.Proposal(prop_index))

    @call(18)
    def set_metadata(self, origin: Origin, owner: MetadataOwner, maybe_hash: H256 | None) -> None:
        if owner.name == "External":
            ext = self.storage.NextExternal.value()  # type: ignore[attr-defined]
            if ext is None:
                raise Error.NoProposal()
            ensure_external_origin(ext[1], origin)
        elif owner.name == "Proposal":
            who = ensure_signed(origin)
            if self._proposer_of(owner.value) != who:
                raise Error.NoPermission()
        else:
            if not origin.is_root:
                ensure_signed(origin)
                info = self.storage.ReferendumInfoOf.get(owner.value)  # type: ignore[attr-defined]
                if maybe_hash is not None or (info is not None and info.name == "Ongoing"):
                    raise Error.NoPermission()
        if maybe_hash is not None:
            if self.preimages.len_of(maybe_hash) is None:  # type: ignore[attr-defined]
                raise Error.PreimageNotExist()
            self.storage.MetadataOf.insert(owner, maybe_hash)  # type: ignore[attr-defined]
            self.deposit_event(Event.MetadataSet(owner, maybe_hash))  # type: ignore[attr-defined]
        else:
            self.clear_metadata(owner)
