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


# --- code upgrades through System.set_code / apply_authorized_upgrade ----------------------------
#
# The simulator cannot run wasm, so the ``code`` of ``System.set_code`` *names* an upgrade:
#
#     b"tangle-sim-runtime:" + JSON object
#
# with ``spec_name`` (must equal the running runtime's, "tangle-testnet"), and either a
# ``spec_version`` or a ``name`` from KNOWN_UPGRADES (which brings its version), plus optional
# ``constants`` / ``quirks`` / ``description`` as in a scheduled upgrade. ``code_for(...)`` builds
# such bytes. Anything else has no runtime version the simulator can extract: the call fails with
# ``System.FailedToExtractRuntimeVersion`` (the wasm's custom section is what the chain reads).
# A code set in block n is enacted at the start of block n + 1, as on chain (``:code`` is read by
# the next block's executive, which runs ``on_runtime_upgrade``).

CODE_PREFIX = b"tangle-sim-runtime:"
MAX_CODE_LEN = 1 << 16  # a named upgrade is a few hundred bytes; longer input is not a runtime we know


class CodeError(ValueError):
    """Code the simulator cannot read a runtime version from (``FailedToExtractRuntimeVersion``)."""


@dataclass(frozen=True)
class CodeVersion:
    """What ``sp_io::misc::runtime_version`` would read from the code: its name and version, and
    the simulator's rules for it."""

    spec_name: str
    config: UpgradeConfig


def code_for(name: str | None = None, *, spec_version: int | None = None, spec_name: str = SPEC_NAME,
             constants: dict[str, dict[str, int]] | None = None, quirks: dict[str, bool] | None = None,
             description: str = "") -> bytes:
    """The ``code`` argument naming an upgrade (see the format above)."""
    import json

    body: dict = {"spec_name": spec_name}
    if name is not None:
        body["name"] = name
    if spec_version is not None:
        body["spec_version"] = spec_version
    if constants:
        body["constants"] = constants
    if quirks:
        body["quirks"] = quirks
    if description:
        body["description"] = description
    return CODE_PREFIX + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def read_code(code: bytes) -> CodeVersion:
    """The runtime version (and rules) the code names; raises CodeError if it names none."""
    import json

    from pydantic import ValidationError

    if len(code) > MAX_CODE_LEN or not code.startswith(CODE_PREFIX):
        raise CodeError(f"code is not a tangle-sim runtime (expected {CODE_PREFIX.decode()!r} + JSON, at most {MAX_CODE_LEN} bytes)")
    try:
        body = json.loads(code[len(CODE_PREFIX):].decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise CodeError(f"code: not UTF-8 JSON ({type(exc).__name__})") from None
    if not isinstance(body, dict) or not isinstance(body.get("spec_name"), str):
        raise CodeError("code: a JSON object with a string spec_name is required")
    spec_name = body.pop("spec_name")
    name = body.get("name")
    if name is not None and name not in KNOWN_UPGRADES:
        raise CodeError(f"code.name: unknown upgrade {str(name)[:40]!r}; known: {sorted(KNOWN_UPGRADES)}")
    if body.get("spec_version") is None and name is None:
        raise CodeError("code: spec_version (or a known upgrade name) is required")
    if body.get("spec_version") is None:
        body["spec_version"] = KNOWN_UPGRADES[name]["spec_version"]
    try:
        config = UpgradeConfig.model_validate({**body, "at_block": 1})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CodeError(f"code.{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    if not 0 < config.spec_version < 1 << 32:  # type: ignore[operator]
        raise CodeError("code.spec_version: must be a u32 above 0")
    from runtime.quirks import QUIRKS

    for key in config.quirks:
        if key not in QUIRKS:
            raise CodeError(f"code.quirks: unknown quirk {key[:60]!r}")
    return CodeVersion(spec_name, config)
