"""Votes, delegations and conviction locks (``try_vote``, ``try_remove_vote``, ``try_delegate``,
``try_undelegate``, ``update_lock``)."""

from __future__ import annotations

import dataclasses

from runtime.errors import Arithmetic

from pallets.democracy.errors import Error
from pallets.democracy.events import Event
from pallets.democracy.types import (
    DEFAULT_VOTING,
    LOCK_PERIODS,
    NO_DELEGATIONS,
    AccountVote,
    Conviction,
    Delegating,
    Delegations,
    Direct,
    ReferendumInfo,
    ReferendumStatus,
    Tally,
    Voting,
    conviction_votes,
    vote_aye,
    vote_balance,
    vote_conviction,
)

LOCK_ID = b"democrac"


def tally_add(t: Tally, v: AccountVote, sign: int = 1) -> Tally:
    """``Tally::add`` (sign +1) / ``Tally::remove`` (sign -1)."""
    if v.name == "Standard":
        votes = conviction_votes(vote_conviction(v.value.vote), v.value.balance)
        ayes = t.ayes + sign * votes if vote_aye(v.value.vote) else t.ayes
        nays = t.nays if vote_aye(v.value.vote) else t.nays + sign * votes
        return Tally(ayes, nays, t.turnout + sign * v.value.balance)
    aye, nay = v.value.aye, v.value.nay
    return Tally(t.ayes + sign * (aye // 10), t.nays + sign * (nay // 10), t.turnout + sign * (aye + nay))


def tally_delegations(t: Tally, approve: bool, d: Delegations, sign: int = 1) -> Tally:
    """``Tally::increase`` / ``reduce``: a delegate's Standard vote carries what it was delegated."""
    if approve:
        return Tally(t.ayes + sign * d.votes, t.nays, t.turnout + sign * d.capital)
    return Tally(t.ayes, t.nays + sign * d.votes, t.turnout + sign * d.capital)


def accumulate(prior: tuple[int, int], until: int, amount: int) -> tuple[int, int]:
    return max(prior[0], until), max(prior[1], amount)


def with_common(voting: Voting, delegations: Delegations, prior: tuple[int, int]) -> Voting:
    return Voting(voting.name, dataclasses.replace(voting.value, delegations=delegations, prior=prior))


class VotingLogic:
    def _status(self, ref_index: int) -> ReferendumStatus:
        info = self.storage.ReferendumInfoOf.get(ref_index)  # type: ignore[attr-defined]
        if info is None or info.name != "Ongoing":
            raise Error.ReferendumInvalid()
        return info.value

    def _extend_lock(self, who: str, amount: int) -> None:
        current = self.currency.locked(LOCK_ID, who)  # type: ignore[attr-defined]
        if amount > current:
            self.currency.set_lock(LOCK_ID, who, amount)  # type: ignore[attr-defined]

    def try_vote(self, who: str, ref_index: int, vote: AccountVote) -> None:
        status = self._status(ref_index)
        if vote_balance(vote) > self.currency.free_balance(who):  # type: ignore[attr-defined]
            raise Error.InsufficientFunds()
        voting = self.storage.VotingOf.get(who)  # type: ignore[attr-defined]
        if voting.name != "Direct":
            raise Error.AlreadyDelegating()
        d = voting.value
        votes = list(d.votes)
        tally = status.tally
        existing = [i for i, (r, _) in enumerate(votes) if r == ref_index]
        if existing:
            old = votes[existing[0]][1]
            tally = tally_add(tally, old, -1)
            if old.name == "Standard":
                tally = tally_delegations(tally, vote_aye(old.value.vote), d.delegations, -1)
            votes[existing[0]] = (ref_index, vote)
        else:
            if len(votes) >= self.consts.MaxVotes:  # type: ignore[attr-defined]
                raise Error.MaxVotesReached()
            votes.append((ref_index, vote))
            votes.sort(key=lambda x: x[0])
        self.deposit_event(Event.Voted(who, ref_index, vote))  # type: ignore[attr-defined]
        tally = tally_add(tally, vote)
        if vote.name == "Standard":
            tally = tally_delegations(tally, vote_aye(vote.value.vote), d.delegations)
        if min(tally.ayes, tally.nays, tally.turnout) < 0:  # pragma: no cover - defensive
            raise Arithmetic.Underflow()
        self.storage.VotingOf.insert(who, Voting.Direct(dataclasses.replace(d, votes=tuple(votes))))  # type: ignore[attr-defined]
        self._extend_lock(who, vote_balance(vote))
        self.storage.ReferendumInfoOf.insert(ref_index, ReferendumInfo.Ongoing(dataclasses.replace(status, tally=tally)))  # type: ignore[attr-defined]

    def try_remove_vote(self, who: str, ref_index: int, any_scope: bool) -> None:
        info = self.storage.ReferendumInfoOf.get(ref_index)  # type: ignore[attr-defined]
        voting = self.storage.VotingOf.get(who)  # type: ignore[attr-defined]
        if voting.name != "Direct":
            return
        d = voting.value
        positions = [i for i, (r, _) in enumerate(d.votes) if r == ref_index]
        if not positions:
            raise Error.NotVoter()
        i = positions[0]
        vote = d.votes[i][1]
        prior = d.prior
        if info is not None and info.name == "Ongoing":
            if not any_scope:
                raise Error.NoPermission()
            status = info.value
            tally = tally_add(status.tally, vote, -1)
            if vote.name == "Standard":
                tally = tally_delegations(tally, vote_aye(vote.value.vote), d.delegations, -1)
            self.storage.ReferendumInfoOf.insert(ref_index, ReferendumInfo.Ongoing(dataclasses.replace(status, tally=tally)))  # type: ignore[attr-defined]
        elif info is not None:
            approved, end = info.value.approved, info.value.end
            if vote.name == "Standard" and vote_aye(vote.value.vote) == approved:
                periods = LOCK_PERIODS[vote_conviction(vote.value.vote)]
                unlock_at = end + self.consts.VoteLockingPeriod * periods  # type: ignore[attr-defined]
                if self.block_number < unlock_at:  # type: ignore[attr-defined]
                    if not any_scope:
                        raise Error.NoPermission()
                    prior = accumulate(prior, unlock_at, vote.value.balance)
        votes = d.votes[:i] + d.votes[i + 1:]
        self.storage.VotingOf.insert(who, Voting.Direct(dataclasses.replace(d, votes=votes, prior=prior)))  # type: ignore[attr-defined]

    def update_lock(self, who: str) -> None:
        voting = self.storage.VotingOf.get(who)  # type: ignore[attr-defined]
        prior = voting.value.prior
        if self.block_number >= prior[0]:  # type: ignore[attr-defined]
            prior = (0, 0)
        voting = with_common(voting, voting.value.delegations, prior)
        if voting == DEFAULT_VOTING:
            self.storage.VotingOf.remove(who)  # type: ignore[attr-defined]
        else:
            self.storage.VotingOf.insert(who, voting)  # type: ignore[attr-defined]
        if voting.name == "Direct":
            needed = max([prior[1]] + [vote_balance(v) for _, v in voting.value.votes])
        else:
            needed = max(voting.value.balance, prior[1])
        if needed == 0:
            self.currency.remove_lock(LOCK_ID, who)  # type: ignore[attr-defined]
        else:
            self.currency.set_lock(LOCK_ID, who, needed)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ delegation
    def _upstream(self, target: str, amount: Delegations, sign: int) -> None:
        voting = self.storage.VotingOf.get(target)  # type: ignore[attr-defined]
        d = voting.value.delegations
        new = Delegations(max(d.votes + sign * amount.votes, 0), max(d.capital + sign * amount.capital, 0))
        self.storage.VotingOf.insert(target, with_common(voting, new, voting.value.prior))  # type: ignore[attr-defined]
        if voting.name == "Direct":
            for ref_index, v in voting.value.votes:
                if v.name != "Standard":
                    continue
                info = self.storage.ReferendumInfoOf.get(ref_index)  # type: ignore[attr-defined]
                if info is not None and info.name == "Ongoing":
                    tally = tally_delegations(info.value.tally, vote_aye(v.value.vote), amount, sign)
                    self.storage.ReferendumInfoOf.insert(ref_index, ReferendumInfo.Ongoing(dataclasses.replace(info.value, tally=tally)))  # type: ignore[attr-defined]

    def _delegated(self, conviction: Conviction, balance: int) -> Delegations:
        return Delegations(conviction_votes(conviction.level, balance), balance)

    def _release_delegation(self, old: Delegating) -> tuple[int, int]:
        """Undo a delegation: the target loses it; its conviction lock moves into ``prior``."""
        self._upstream(old.target, self._delegated(old.conviction, old.balance), -1)
        unlock = self.block_number + self.consts.VoteLockingPeriod * LOCK_PERIODS[old.conviction.level]  # type: ignore[attr-defined]
        return accumulate(old.prior, unlock, old.balance)

    def try_delegate(self, who: str, target: str, conviction: Conviction, balance: int) -> None:
        if who == target:
            raise Error.Nonsense()
        if balance > self.currency.free_balance(who):  # type: ignore[attr-defined]
            raise Error.InsufficientFunds()
        old = self.storage.VotingOf.get(who)  # type: ignore[attr-defined]
        if old.name == "Delegating":
            prior = self._release_delegation(old.value)
        else:
            if old.value.votes:
                raise Error.VotesExist()
            prior = old.value.prior
        self.storage.VotingOf.insert(who, Voting.Delegating(Delegating(balance, target, conviction, old.value.delegations, prior)))  # type: ignore[attr-defined]
        self._upstream(target, self._delegated(conviction, balance), 1)
        self._extend_lock(who, balance)
        self.deposit_event(Event.Delegated(who, target))  # type: ignore[attr-defined]

    def try_undelegate(self, who: str) -> None:
        old = self.storage.VotingOf.get(who)  # type: ignore[attr-defined]
        if old.name != "Delegating":
            raise Error.NotDelegating()
        prior = self._release_delegation(old.value)
        self.storage.VotingOf.insert(who, Voting.Direct(Direct((), old.value.delegations, prior)))  # type: ignore[attr-defined]
        self.deposit_event(Event.Undelegated(who))  # type: ignore[attr-defined]


__all__ = ["LOCK_ID", "NO_DELEGATIONS", "VotingLogic"]
