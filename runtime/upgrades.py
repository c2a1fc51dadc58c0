"""Runtime upgrades: both behaviours built in, switching at a target block.

On chain a runtime upgrade replaces the code; the new rules apply from the block the upgrade is
enacted in. Clients ship such changes the way hard forks are shipped: the old and new rule both
live in the code, keyed by an activation block announced in advance. Here an upgrade is data: a
new ``spec_version``, constant changes per pallet, and quirk switches (a bug fix shipped in an
upgrade turns a quirk off). The runtime applies it at the start of ``at_block``, before any
``on_initialize``, and re-derives it when a snapshot is restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runtime.genesis import UpgradeConfig

GENESIS_SPEC_VERSION = 1403  # tangle-testnet v1.4.3, the metadata in ../shared/tangle
SPEC_NAME = "tangle-testnet"


@dataclass(frozen=True)
class RuntimeUpgrade:
    at_block: int
    spec_version: int
    constants: dict[str, dict[str, int]] = field(default_factory=dict)
    quirks: dict[str, bool] = field(default_factory=dict)
    description: str = ""


# Upgrades that can be scheduled by name. The mainnet runtime uses the *untruncated* session
# and era lengths and a longer services slash defer; "mainnet-timing" shows a changed constant
# switching the slashing window across the boundary.
KNOWN_UPGRADES: dict[str, dict] = {
    "slash-defer-14": {
        "spec_version": 1404,
        "constants": {"Services": {"SlashDeferDuration": 14}},
        "description": "Services.SlashDeferDuration 7 -> 14 rounds: a longer dispute window for governance.",
    },
    "existential-deposit-1e12": {
        "spec_version": 1404,
        "constants": {"Balances": {"ExistentialDeposit": 10**12}},
        "description": "Balances.ExistentialDeposit 10^10 -> 10^12: dust accounts below 10^-6 TNT are reaped.",
    },
    "fix-terminate-slashes": {
        "spec_version": 1405,
        "quirks": {"services.terminate_clears_all_round_slashes": False},
        "description": "terminate stops deleting other services' pending slashes (a quirk fixed by an upgrade).",
    },
}


def resolve(config: UpgradeConfig, previous_spec: int) -> RuntimeUpgrade:
    """Turn a genesis/scenario upgrade entry into a concrete upgrade."""
    spec: dict = {}
    if config.name is not None:
        if config.name not in KNOWN_UPGRADES:
            raise ValueError(f"upgrades.name: unknown upgrade {config.name!r}; known: {sorted(KNOWN_UPGRADES)}")
        spec = dict(KNOWN_UPGRADES[config.name])
    constants = {**spec.get("constants", {}), **config.constants}
    quirks = {**spec.get("quirks", {}), **config.quirks}
    version = config.spec_version or spec.get("spec_version") or previous_spec + 1
    if version <= previous_spec:
        raise ValueError(f"upgrades: spec_version must increase (got {version} after {previous_spec})")
    return RuntimeUpgrade(config.at_block, version, constants, quirks, config.description or spec.get("description", ""))
