"""Sessions and eras: pallet_staking's ``SessionManager`` side (``new_session`` plans an era,
``start_session`` starts it, ``end_session`` ends the previous one).

Timing (testnet, ``SessionsPerEra = 3``): era ``e`` is *planned* (``CurrentEra = e``, election
run, exposures stored) when session ``3e - 1`` starts and session ``3e`` is queued; it becomes
*active* when session ``3e`` starts. At that moment era ``e - 1`` ends (its reward is fixed and
``EraPaid`` emitted) and the slashes deferred to era ``e`` are applied. ``ForceEra`` can plan an
era early (``ForceNew``, ``ForceAlways``) or stop planning (``ForceNone``).

The era clock: the simulator has no timestamp pallet, so a block ``n`` is at ``n * 6000`` ms and
an era lasts ``blocks * MillisecsPerBlock``; ``ActiveEraInfo.start`` is set when the era starts
(block 1 for the genesis era) rather than in the next ``on_finalize``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any



from pallets.staking.election import Support, elect, sort_key
from pallets.staking.events import Event
from pallets.staking.types import ActiveEraInfo, EraRewardPoints, ExposurePage, Forcing, PagedExposureMetadata

if TYPE_CHECKING:
    from runtime.context import RuntimeContext

POINTS_PER_BLOCK = 20  # pallet_staking's reward for authoring a block (note_author)
#: an elected tuple -> its positions in AccountId order (see _note_era_points); bounded
_ORDER: dict[tuple[str, ...], tuple[int, ...]] = {}
#: a winner (by identity) -> (the winner, page size, its PagedExposureMetadata, its ExposurePages); bounded
_EXPOSURES: dict[int, tuple[Support, int, PagedExposureMetadata, tuple[ExposurePage, ...]]] = {}
#: the elected tuples stored lately (see _same_tuple) and the EraRewardPoints built lately (see _note_era_points); bounded
_ELECTED: dict[tuple[str, ...], tuple[str, ...]] = {}
_POINTS: dict[tuple[int, int, int], tuple[tuple[str, ...], EraRewardPoints]] = {}


def _exposure_of(sup: Support, page_size: int) -> tuple[PagedExposureMetadata, tuple[ExposurePage, ...]]:
    """A winner's era exposure: its overview and its pages of ``page_size`` nominators. The
    election memo hands back the very same Support objects era after era while nobody bonds,
    nominates or validates, so the records built for one are kept with it (by identity; the entry
    holds the Support, so its id cannot be reused while cached) and stored again under the new
    era's keys: equal values, built once, and the same objects for storage and the end-of-run
    immutability check to recognise."""
    hit = _EXPOSURES.get(id(sup))
    if hit is not None and hit[0] is sup and hit[1] == page_size:
        return hit[2], hit[3]
    others = sup.others  # (who, value) pairs: IndividualExposure values
    pages = tuple([ExposurePage(sum([v for _, v in others[i : i + page_size]]), others[i : i + page_size]) for i in range(0, len(others), page_size)])
    overview = PagedExposureMetadata(sup.total, sup.own, len(others), len(pages))
    if len(_EXPOSURES) >= 256:
        _EXPOSURES.clear()
    _EXPOSURES[id(sup)] = (sup, page_size, overview, pages)
    return overview, pages


def _same_tuple(names: list[str]) -> tuple[str, ...]:
    """``tuple(names)``, the tuple stored for an equal list before if there is one (the elected
    set is the same era after era: one object for every era's ``ErasElected``)."""
    key = tuple(names)
    hit = _ELECTED.get(key)
    if hit is None:
        if len(_ELECTED) >= 64:
            _ELECTED.clear()
        hit = _ELECTED[key] = key
    return hit


class EraManager:
    """Mixin of the Staking pallet implementing :class:`runtime.traits.SessionManager`."""

    storage: Any
    consts: Any
    ctx: "RuntimeContext"

    # ------------------------------------------------------------------ SessionManager
    def new_session(self, new_index: int) -> list[str] | None:
        """Plan the next era if it is due; returns the new validator set (or None: keep the set)."""
        s = self.storage
        s.CurrentPlannedSession.put(new_index)
        is_genesis = self.block_number == 0  # type: ignore[attr-defined]
        current = s.CurrentEra.value()
        if current is None:
            return self._try_trigger_new_era(new_index, is_genesis)
        start = s.ErasStartSessionIndex.get(current)
        era_length = new_index - (start if start is not None else 0)
        force = s.ForceEra.value()
        if force.name == "ForceNone":
            return None
        if force.name == "NotForcing" and era_length < self.consts.SessionsPerEra:
            return None
        validators = self._try_trigger_new_era(new_index, is_genesis)
        if validators is not None and force.name == "ForceNew":
            s.ForceEra.put(Forcing.NotForcing)
        return validators

    def start_session(self, index: int) -> None:
        """Start the planned era if its first session is ``index`` (or was skipped)."""
        s = self.storage
        active = s.ActiveEra.value()
        next_active = 0 if active is None else active.index + 1
        start = s.ErasStartSessionIndex.get(next_active)
        if start is not None and start <= index:
            self._start_era(index)

    def end_session(self, index: int) -> None:
        """End the active era if the next session starts the planned one."""
        s = self.storage
        active = s.ActiveEra.value()
        if active is None:
            return
        start = s.ErasStartSessionIndex.get(active.index + 1)
        if start is not None and start == index + 1:
            self._end_era(active, index)

    # ------------------------------------------------------------------ planning
    def _try_trigger_new_era(self, start_session: int, is_genesis: bool) -> list[str] | None:
        s = self.storage
        supports = self.run_election()
        minimum = max(s.MinimumValidatorCount.value(), 1)
        if len(supports) < minimum:
            if s.CurrentEra.value() is None:
                # the genesis era may fail its election: era 0 then runs with the genesis set
                s.CurrentEra.put(0)
                s.ErasStartSessionIndex.insert(0, start_session)
            self.deposit_event(Event.StakingElectionFailed())  # type: ignore[attr-defined]
            return None
        self.deposit_event(Event.StakersElected())  # type: ignore[attr-defined]
        return self._trigger_new_era(start_session, supports)

    def run_election(self) -> list[Support]:
        """Elect from the current Validators/Nominators (see :mod:`pallets.staking.election`)."""
        s = self.storage
        ledgers = s.Ledger.get
        candidates = {}
        for stash in s.Validators.keys():
            ledger = ledgers(stash)
            candidates[stash] = ledger.active if ledger is not None else 0
        min_active = s.MinimumActiveStake.value()
        voters = []
        for who, nominations in s.Nominators.items():
            ledger = ledgers(who)
            if ledger is None or ledger.active < min_active:
                continue
            voters.append((who, ledger.active, nominations.targets))
        desired = s.ValidatorCount.value()
        # elect() is a pure function of these inputs, which stay the same era after era while
        # nobody bonds, nominates or validates (most eras): remembered, a few entries deep
        key = (tuple(candidates.items()), tuple(voters), desired)
        memo = self.__dict__.setdefault("_election_memo", {})
        hit = memo.get(key)
        if hit is None:
            if len(memo) >= 16:
                memo.clear()
            hit = memo[key] = tuple(elect(candidates, voters, desired))
        return list(hit)

    def _trigger_new_era(self, start_session: int, supports: list[Support]) -> list[str]:
        s = self.storage
        current = s.CurrentEra.value()
        era = 0 if current is None else current + 1
        s.CurrentEra.put(era)
        s.ErasStartSessionIndex.insert(era, start_session)
        old = era - self.consts.HistoryDepth - 1
        if old >= 0:
            self._clear_era_information(old)
        return self._store_stakers_info(supports, era)

    def _store_stakers_info(self, supports: list[Support], era: int) -> list[str]:
        s = self.storage
        page_size = self.consts.MaxExposurePageSize
        total_stake = 0
        elected = []
        for sup in supports:
            elected.append(sup.stash)
            total_stake += sup.total
            overview, pages = _exposure_of(sup, page_size)
            s.ErasStakersOverview.insert((era, sup.stash), overview)
            for i, page in enumerate(pages):
                s.ErasStakersPaged.insert((era, sup.stash, i), page)
            s.ErasValidatorPrefs.insert((era, sup.stash), s.Validators.get(sup.stash))
        s.ErasTotalStake.insert(era, total_stake)
        s.ErasElected.insert(era, _same_tuple(elected))
        return elected

    def _clear_era_information(self, era: int) -> None:
        s = self.storage
        for stash in s.ErasElected.get(era):
            overview = s.ErasStakersOverview.remove((era, stash))
            for page in range(overview.page_count if overview is not None else 0):
                s.ErasStakersPaged.remove((era, stash, page))
            s.ErasValidatorPrefs.remove((era, stash))
        s.ClaimedRewards.clear_prefix(era)
        for item in (s.ErasElected, s.ErasValidatorReward, s.ErasRewardPoints, s.ErasTotalStake, s.ErasStartSessionIndex, s.ErasStartBlock):
            item.remove(era)

    # ------------------------------------------------------------------ start and end
    def _start_era(self, start_session: int) -> None:
        s = self.storage
        active = s.ActiveEra.value()
        era = 0 if active is None else active.index + 1
        block = max(self.block_number, 1)  # type: ignore[attr-defined]
        s.ActiveEra.put(ActiveEraInfo(era, block * self.consts.MillisecsPerBlock))
        s.ErasStartBlock.insert(era, block)
        bonded = s.BondedEras.value() + ((era, start_session),)
        duration = self.consts.BondingDuration
        if era > duration:
            first_kept = era - duration
            pruned = [e for e, _ in bonded if e < first_kept]
            for e in pruned:
                self._clear_slash_metadata(e)  # type: ignore[attr-defined]
            bonded = tuple([b for b in bonded if b[0] >= first_kept])
        s.BondedEras.put(bonded)
        self._apply_unapplied_slashes(era)  # type: ignore[attr-defined]
        if self.block_number > 0:  # type: ignore[attr-defined]
            # other pallets' on_new_era hooks (not at genesis: their own genesis has not run yet)
            self.ctx.notify_new_era(era)

    def _end_era(self, active: ActiveEraInfo, session_index: int) -> None:
        s = self.storage
        era = active.index
        start_block = s.ErasStartBlock.get(era)
        if start_block is None:
            return
        now = self.block_number  # type: ignore[attr-defined]
        self._note_era_points(era, start_block, now)
        self._pay_era(era, (now - start_block) * self.consts.MillisecsPerBlock)  # type: ignore[attr-defined]
        s.DisabledValidators.kill()

    def _note_era_points(self, era: int, start_block: int, end_block: int) -> None:
        """Reward points as block authorship would give them: blocks ``start..end`` authored round-robin
        by the era's validators (in AccountId order), 20 points each."""
        elected = self.storage.ErasElected.get(era)
        n = len(elected)
        if n == 0 or end_block <= start_block:
            return
        # each position's block count depends only on the era's length and where its first block
        # falls in the rotation: the same set over an era of the same length and phase gets the
        # same record, kept with the set (by identity: the entry holds the tuple)
        key = (id(elected), (start_block - 1) % n, end_block - start_block)
        hit = _POINTS.get(key)
        if hit is not None and hit[0] is elected:
            self.storage.ErasRewardPoints.insert(era, hit[1])
            return
        # the elected set's AccountId order, sorted once per set (the set stays the same era after
        # era while nobody bonds, nominates or validates); a stable sort of the positions gives the
        # order sorting the (stash, points) pairs by their stash's bytes gave
        order = _ORDER.get(elected)
        if order is None:
            if len(_ORDER) >= 64:
                _ORDER.clear()
            order = _ORDER[elected] = tuple(sorted(range(n), key=lambda i: sort_key(elected[i])))
        individual = []
        total = 0
        for i in order:
            blocks = (end_block - 1 - i) // n - (start_block - 1 - i) // n
            if blocks:
                individual.append((elected[i], blocks * POINTS_PER_BLOCK))
                total += blocks * POINTS_PER_BLOCK
        points = EraRewardPoints(total, tuple(individual))
        if len(_POINTS) >= 256:
            _POINTS.clear()
        _POINTS[key] = (elected, points)
        self.storage.ErasRewardPoints.insert(era, points)
