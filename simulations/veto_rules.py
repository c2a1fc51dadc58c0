"""The slash-veto timing rules, as pure functions of the chain clock.

Each rule turns "a fault at block f, proposed as a slash at block p" into a :class:`Timing`: the
last block in which a veto can land, the block at which the slash takes effect and (EigenLayer)
when the slashed funds are finally burned. The numbers follow ``reference-algorithms.md`` §4,
with timestamps read as block numbers:

* **Tangle services** (``pallet-services``): the slash is stored under ``era = round(p)``.
  Real profile (``services.slash_applied_only_in_exact_round``): ``on_initialize`` of block ``b``
  processes only ``process_era = max(round(b) - D, 0)``, so the slash is applied in the first block
  after ``p`` whose ``process_era == era``: the first block of round ``era + D``, or the very next
  block while ``round <= D`` for round-0 slashes; if the first later block already has
  ``process_era > era`` (``D = 0`` and ``p`` the last block of a round) it is never processed.
  Intended profile: due from the first block whose round is ``>= era + D`` (never earlier, never
  lost). ``dispute`` works until it is applied: the last veto block is the block before the
  application block (a dispute in block ``b`` runs after ``b``'s ``on_initialize``).
* **Substrate pallet_staking (classic)**: reported in active era ``R = era(p)``, applied at the start
  of era ``R + D + 1``; ``cancel_deferred_slash`` works until then. ``D = 0`` applies at once (no
  veto possible).
* **Symbiotic VetoSlasher**: ``captureTimestamp = min(f, p - 1)`` must satisfy
  ``p + vetoDuration - epochDuration <= capture < p`` (else the request is rejected,
  ``InvalidCaptureTimestamp``); ``vetoDeadline = p + vetoDuration``; the resolver can veto while
  ``now < vetoDeadline``; the middleware executes at ``vetoDeadline`` (the start of the window
  ``[vetoDeadline, capture + epochDuration]``). With no resolver the slash executes at once.
* **EigenLayer** (``VetoableSlasher`` middleware + core): the veto committee can cancel while
  ``block < p + vetoWindowBlocks``; the slasher fulfils at ``p + vetoWindowBlocks`` (the core's
  ``slashOperator`` is instant: stake is cut then) and the burnable shares are cleared
  ``SLASH_RESOLUTION_DELAY`` blocks later (``resolved_block``; no veto then, only the pause flag).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulations.clock import Clock


@dataclass(frozen=True)
class Timing:
    """When a proposed slash can be vetoed and when it takes effect (block numbers)."""

    proposed_block: int
    last_veto_block: int | None  # None: no veto can land at all
    execute_block: int | None  # when the rule's own system executes the slash; None: never
    resolved_block: int | None = None  # EigenLayer: burn/redistribution of the slashed shares
    rejected: str | None = None  # why the proposal itself was refused (e.g. InvalidCaptureTimestamp)

    @property
    def veto_window_blocks(self) -> int:
        """Blocks in which a veto can land: proposal block through the last veto block."""
        if self.last_veto_block is None:
            return 0
        return max(self.last_veto_block - self.proposed_block + 1, 0)

    def veto_allowed(self, block: int) -> bool:
        return self.last_veto_block is not None and self.proposed_block <= block <= self.last_veto_block


class TimingRule:
    """Base class: ``schedule(fault_block, proposed_block)`` -> Timing."""

    name: str = ""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def schedule(self, fault_block: int, proposed_block: int) -> Timing:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class TangleServicesTiming(TimingRule):
    name = "tangle_services"

    def __init__(self, clock: Clock, slash_defer_duration: int, exact_round: bool = True) -> None:
        super().__init__(clock)
        self.defer = slash_defer_duration
        self.exact_round = exact_round

    def process_era(self, block: int) -> int:
        return max(self.clock.round_of(block) - self.defer, 0)

    def apply_block(self, proposed_block: int) -> int | None:
        era = self.clock.round_of(proposed_block)
        nxt = proposed_block + 1
        if not self.exact_round:
            return max(nxt, self.clock.first_block_of_round(era + self.defer))
        pe = self.process_era(nxt)
        if pe == era:
            return nxt
        if pe > era:
            return None
        return self.clock.first_block_of_round(era + self.defer)

    def schedule(self, fault_block: int, proposed_block: int) -> Timing:
        apply = self.apply_block(proposed_block)
        return Timing(proposed_block, None if apply is None else apply - 1, apply)

    def describe(self) -> str:
        return f"Tangle services: dispute until round r + {self.defer} starts (applied in on_initialize)"


class SubstrateStakingTiming(TimingRule):
    name = "substrate_staking"

    def __init__(self, clock: Clock, slash_defer_duration: int) -> None:
        super().__init__(clock)
        self.defer = slash_defer_duration

    def apply_era(self, proposed_block: int) -> int:
        return self.clock.era_of(proposed_block) + self.defer + 1

    def schedule(self, fault_block: int, proposed_block: int) -> Timing:
        if self.defer == 0:
            return Timing(proposed_block, None, proposed_block)
        apply = self.clock.first_block_of_era(self.apply_era(proposed_block))
        return Timing(proposed_block, apply - 1, apply)

    def describe(self) -> str:
        return f"pallet_staking: cancel_deferred_slash until era R + {self.defer} + 1 starts"


class SymbioticTiming(TimingRule):
    name = "symbiotic"

    def __init__(self, clock: Clock, epoch_blocks: int, veto_blocks: int, resolver: bool = True) -> None:
        super().__init__(clock)
        if veto_blocks >= epoch_blocks:
            raise ValueError("InvalidVetoDuration: veto duration must be shorter than the epoch")
        self.epoch = epoch_blocks
        self.veto = veto_blocks
        self.resolver = resolver

    def capture(self, fault_block: int, proposed_block: int) -> int:
        return min(fault_block, proposed_block - 1)

    def schedule(self, fault_block: int, proposed_block: int) -> Timing:
        capture = self.capture(fault_block, proposed_block)
        if not (proposed_block + self.veto - self.epoch <= capture < proposed_block) or capture < 0:
            return Timing(proposed_block, None, None, rejected="InvalidCaptureTimestamp")
        if not self.resolver:
            return Timing(proposed_block, None, proposed_block)
        deadline = proposed_block + self.veto
        last_veto = deadline - 1 if self.veto > 0 else None
        return Timing(proposed_block, last_veto, deadline)

    def execute_window(self, fault_block: int, proposed_block: int) -> tuple[int, int]:
        """``[vetoDeadline, capture + epochDuration]``: when executeSlash is accepted."""
        return proposed_block + self.veto, self.capture(fault_block, proposed_block) + self.epoch

    def describe(self) -> str:
        return f"Symbiotic VetoSlasher: veto for {self.veto} blocks, epoch {self.epoch} blocks"


class EigenLayerTiming(TimingRule):
    name = "eigenlayer"

    def __init__(self, clock: Clock, veto_window_blocks: int, resolution_delay_blocks: int) -> None:
        super().__init__(clock)
        self.window = veto_window_blocks
        self.resolution = resolution_delay_blocks

    def schedule(self, fault_block: int, proposed_block: int) -> Timing:
        fulfil = proposed_block + self.window
        last_veto = fulfil - 1 if self.window > 0 else None
        return Timing(proposed_block, last_veto, fulfil, resolved_block=fulfil + self.resolution)

    def describe(self) -> str:
        return f"EigenLayer VetoableSlasher: cancel for {self.window} blocks, burn {self.resolution} blocks after fulfilment"


def make_timing(name: str, clock: Clock, params: "object", resolver: bool = True) -> TimingRule:
    """Build the named rule from a scenario's :class:`simulations.scenario.Parameters` (the Tangle
    rule follows the profile: exact-round processing under ``real``)."""
    p = params
    if name == "tangle_services":
        return TangleServicesTiming(clock, p.slash_defer_duration, exact_round=p.profile == "real")  # type: ignore[attr-defined]
    if name == "substrate_staking":
        return SubstrateStakingTiming(clock, p.staking_slash_defer_duration)  # type: ignore[attr-defined]
    if name == "symbiotic":
        return SymbioticTiming(clock, p.symbiotic.epoch_blocks, p.symbiotic.veto_blocks, resolver)  # type: ignore[attr-defined]
    if name == "eigenlayer":
        return EigenLayerTiming(clock, p.eigenlayer.veto_window_blocks, p.eigenlayer.resolution_delay_blocks)  # type: ignore[attr-defined]
    raise ValueError(f"unknown slash-veto rule {name!r}")
