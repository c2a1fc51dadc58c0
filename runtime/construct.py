"""``construct_runtime!``: which pallets the simulated testnet runtime has, and how they are wired.

Pallet indices are the testnet's (System 1 ... Services 51, Lst 52, Rewards 53). Hooks run in
index order. Each pallet gets its dependencies as constructor arguments typed by the protocols in
:mod:`runtime.traits`, the way each FRAME pallet's ``Config`` names ``type Currency = Balances``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from runtime.calls import CALL_REGISTRY, PALLET_INDICES
from runtime.pallet import Pallet

if TYPE_CHECKING:
    from runtime.runtime import Runtime


class RoundChangeSessionManager:
    """The testnet's ``RoundChangeSessionManager<Runtime, NoteHistoricalRoot<Runtime, Staking>>``:
    at each session start, MultiAssetDelegation's round changes first, then staking is told;
    then every other pallet with an ``on_new_session`` hook."""

    def __init__(self, rt: "Runtime", staking: Any | None, mad: Any | None) -> None:
        self.rt = rt
        self.staking = staking
        self.mad = mad

    def new_session(self, new_index: int) -> list[str] | None:
        return self.staking.new_session(new_index) if self.staking is not None else None

    def start_session(self, index: int) -> None:
        if self.mad is not None:
            self.mad.handle_round_change(index)
        if self.staking is not None:
            self.staking.start_session(index)
        self.rt.ctx.notify_new_session(index, exclude=("MultiAssetDelegation", "Staking"))

    def end_session(self, index: int) -> None:
        if self.staking is not None:
            self.staking.end_session(index)


def construct_runtime(rt: "Runtime", extra_pallets: Iterable[Callable[[Any], Pallet]] = ()) -> dict[str, Pallet]:
    from pallets.assets import Assets
    from pallets.balances import Balances
    from pallets.session import Session, SessionConstants
    from pallets.sudo import Sudo
    from pallets.system import System

    ctx = rt.ctx
    genesis = rt.genesis
    from pallets.system.raw import raw_storage_provider

    system = System(ctx, raw_storage=raw_storage_provider(rt))
    balances = Balances(ctx, system=system)
    assets = Assets(ctx, system=system, currency=balances)
    sudo = Sudo(ctx)
    from pallets.staking import Staking, StakingConstants

    staking = Staking(ctx, StakingConstants(SessionsPerEra=genesis.sessions_per_era), currency=balances, system=system)
    from pallets.multi_asset_delegation import CheckNominatedRestaked, MultiAssetDelegation

    from pallets.rewards import Rewards

    rewards = Rewards(ctx, currency=balances)
    mad = MultiAssetDelegation(ctx, currency=balances, fungibles=assets.fungibles, staking=staking, service_manager=None, rewards=rewards)
    rewards.delegation_manager = mad
    rt.register_validator(CheckNominatedRestaked(mad))
    session = Session(ctx, SessionConstants(SessionLength=genesis.session_length), session_manager=RoundChangeSessionManager(rt, staking, mad),
                      system=system, validator_id_of=staking.stash_of)

    pallets: list[Pallet] = [system, sudo, assets, balances, staking, session]
    pallets += [mad, rewards]
    from pallets.lst import Lst

    lst = Lst(ctx, currency=balances, fungibles=assets.fungibles, staking=staking.interface)
    staking.interface.add_listener(lst)  # OnStakingUpdate (ignored under lst.on_slash_not_wired)
    pallets.append(lst)
    from pallets.services import Services

    services = Services(ctx, currency=balances, fungibles=assets.fungibles, delegation=mad, rewards=rewards)
    mad.service_manager = services  # circular: MAD asks Services (ServiceManager), Services asks MAD
    pallets.append(services)
    from pallets.utility import Utility

    pallets.append(Utility(ctx))
    from pallets.proxy import Proxy

    pallets.append(Proxy(ctx, currency=balances))
    from pallets.multisig import Multisig

    pallets.append(Multisig(ctx, currency=balances))
    from pallets.preimage import Preimage
    from pallets.scheduler import Scheduler

    preimage = Preimage(ctx)
    scheduler = Scheduler(ctx, preimages=preimage)
    pallets += [preimage, scheduler]
    from pallets.collective import Council

    pallets.append(Council(ctx))
    from pallets.democracy import Democracy

    pallets.append(Democracy(ctx, currency=balances, scheduler=scheduler, preimages=preimage))
    for factory in extra_pallets:
        extra = factory(ctx)
        if any(p.name == extra.name or p.index == extra.index for p in pallets):
            raise ValueError(f"extra pallet {extra.name} (index {extra.index}) clashes with an existing pallet")
        pallets.append(extra)
    pallets.sort(key=lambda p: p.index)
    for pallet in pallets:
        PALLET_INDICES[pallet.name] = pallet.index
        for name, spec in type(pallet).call_specs().items():
            CALL_REGISTRY[(pallet.name, name)] = spec
    return {p.name: p for p in pallets}


_STANDARD_CONSTANTS: dict[str, Any] | None = None


def standard_constants() -> dict[str, Any]:
    """Each standard pallet's name -> its default constants (a frozen dataclass instance): what a
    genesis config's ``constants`` overrides are checked against before any runtime is built."""
    global _STANDARD_CONSTANTS
    if _STANDARD_CONSTANTS is None:
        from runtime.genesis import GenesisConfig
        from runtime.runtime import Runtime

        rt = Runtime(GenesisConfig(sudo=None))
        _STANDARD_CONSTANTS = {name: p.consts for name, p in rt.pallets.items() if p.consts is not None}
    return _STANDARD_CONSTANTS
