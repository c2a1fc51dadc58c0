"""The scenario file: a pydantic model of everything a simulation starts from.

A scenario names its actors (operators, delegators, validators, LST pools, requesters) by short ids,
gives their genesis balances and bonds, their behaviour, the governance veto policy, the slash-veto
timing rules to compare, the runtime parameters, the length and the seed. ``load_scenario`` reads
YAML or TOML and reports every invalid field with its line (see :mod:`simulations.yamlerrors`).

Amounts are integers in base units, or strings ``"<number> <SYMBOL>"`` (``"1_000 TNT"``,
``"2.5 USDC"``) converted exactly with the asset's decimals; the model only ever holds ints.
"""

from __future__ import annotations

import copy
import math
import re
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic.functional_validators import AfterValidator, BeforeValidator, PlainValidator

from simulations.clock import Clock
from simulations.yamlerrors import LoadedDocument, ScenarioError, format_validation_error, load_document

RULE_NAMES = ("tangle_services", "substrate_staking", "symbiotic", "eigenlayer")
U64_MAX = (1 << 64) - 1  # seeds are unsigned 64-bit (stored exactly on SQLite and PostgreSQL)
MAX_BLOCKS = 100_000  # a run longer than this needs --allow-long (a typo like rounds: 10^12 must not run until killed)
HARD_MAX_BLOCKS = (1 << 32) - 1  # the runtime's BlockNumber is a u32
NATIVE_SYMBOL = "TNT"
NATIVE_DECIMALS = 18


# ---------------------------------------------------------------------------------------- amounts
def _units_hint(info: ValidationInfo) -> str:
    decimals = (info.context or {}).get("decimals", {NATIVE_SYMBOL: NATIVE_DECIMALS})
    return f"accepted units: {', '.join(sorted(decimals))} (e.g. '5_000 TNT'), or 'base' for base units (e.g. '5000 base')"


_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")


def _parse_amount(value: Any, info: ValidationInfo) -> Any:
    """``"1_000 TNT"`` -> base units with the asset's decimals; ``"5000 base"`` -> 5000.

    A bare number in a scenario *file* is refused (``bond: 5000`` silently meant 5000 base units,
    a billionth of a billionth of what the author meant); Python callers validating without a
    file context pass ints, which are base units."""
    from_file = bool((info.context or {}).get("from_file"))
    if isinstance(value, bool):
        raise ValueError(f"an amount must be '<number> <unit>'; {_units_hint(info)}")
    if isinstance(value, int):
        if from_file:
            raise ValueError(f"a bare number ({value}) is not an amount: say which unit; {_units_hint(info)}")
        return value
    if isinstance(value, float):
        raise ValueError(f"a bare number ({value}) is not an amount (and floats are not allowed): write '1.5 TNT' style; {_units_hint(info)}")
    if not isinstance(value, str):
        raise ValueError(f"an amount must be '<number> <unit>'; {_units_hint(info)}")
    parts = value.replace("_", "").split()
    decimals = (info.context or {}).get("decimals", {NATIVE_SYMBOL: NATIVE_DECIMALS})
    if len(parts) == 1:
        if from_file:
            raise ValueError(f"{value!r} has no unit; {_units_hint(info)}")
        try:
            return int(parts[0])
        except ValueError:
            raise ValueError(f"cannot read {value!r} as an amount; {_units_hint(info)}") from None
    if len(parts) != 2:
        raise ValueError(f"cannot read {value!r} as an amount; {_units_hint(info)}")
    number, symbol = parts
    if symbol == "base":
        if not re.fullmatch(r"[+-]?[0-9]{1,80}", number):  # int() also takes other scripts' digits
            raise ValueError(f"base units are whole numbers (digits 0-9), got {number!r}")
        return int(number)
    if symbol not in decimals:
        raise ValueError(f"unknown unit {symbol!r} in {value!r}; {_units_hint(info)}")
    if not _DECIMAL_TEXT.fullmatch(number):  # ASCII digits, a point, an exponent: no inf/nan, no other scripts' digits
        raise ValueError(f"cannot read {number!r} as a number (digits 0-9, an optional point and exponent: '1.5', '2e6')")
    try:
        exact = Decimal(number) * (Decimal(10) ** decimals[symbol])
    except ArithmeticError:  # InvalidOperation, Overflow
        raise ValueError(f"cannot read {number!r} as a number") from None
    if exact.adjusted() > 39:  # past any u128 (about 3.4e38): say so before building a huge integer
        raise ValueError(f"{value!r} overflows a u128 balance (at most {MAX_AMOUNT:,})")
    if exact != exact.to_integral_value():
        raise ValueError(f"{value!r} has more decimals than {symbol} ({decimals[symbol]})")
    return int(exact)


MAX_AMOUNT = (1 << 128) - 1  # a u128 Balance


def _repeated(ids: list[str]) -> list[str]:
    """The ids that occur more than once, sorted: one pass (``ids.count`` per id was quadratic:
    75 s to load 50,000 delegators)."""
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


def _check_u128(value: int) -> int:
    """pydantic's own ``le`` message prints the bound as a float (3.402823669209385e+38): say it exactly."""
    if value > MAX_AMOUNT:
        raise ValueError(f"{value:,} base units overflows a u128 balance (at most {MAX_AMOUNT:,})")
    return value


Amount = Annotated[StrictInt, BeforeValidator(_parse_amount), Field(ge=0), AfterValidator(_check_u128)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Percent = Annotated[StrictInt, Field(ge=1, le=100)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------- behaviours
class OperatorBehaviour(_Model):
    """How an operator acts each round.

    * ``honest``: never misbehaves;
    * ``faulty``: misbehaves with probability ``p`` each round (from its own stream); each fault
      leads to a slash proposal of ``slash_percent`` after ``detection_blocks``;
    * ``offline``: goes offline (MAD ``go_offline``) at ``offline_from_round``.
    ``disputed_p`` is the chance that a fault's evidence is disputed (governance may veto on it).
    ``leave_after_slashes``: start leaving the operator set once this many of its slashes were
    proposed or applied (``leave_when``): the mass-exit behaviour.
    ``falsely_accused_p``: whatever the operator does, each round a buggy or malicious reporter
    accuses it with this probability (its own ``<id>/accusations`` stream), proposing an
    *unjustified* slash of ``falsely_accused_percent``, disputed with ``falsely_accused_disputed_p``.
    """

    kind: Literal["honest", "faulty", "offline"] = "honest"
    p: Probability = 0.0
    slash_percent: Percent = 10
    disputed_p: Probability = 0.0
    offline_from_round: StrictInt = Field(1, ge=1)
    leave_after_slashes: StrictInt | None = Field(None, ge=1)
    leave_when: Literal["proposed", "applied"] = "applied"
    falsely_accused_p: Probability = 0.0
    max_faults: StrictInt | None = Field(None, ge=1, description="faulty: misbehave at most this many times (None: no limit)")
    from_round: StrictInt = Field(0, ge=0, description="faulty: misbehave only from this round on")
    falsely_accused_percent: Percent = 10
    falsely_accused_disputed_p: Probability = 0.0


class DelegatorBehaviour(_Model):
    """What a delegator does when an operator it backs is slashed.

    * ``hold``: nothing;
    * ``flee``: schedule unstaking everything from that operator (and withdraw once possible) when
      it sees a slash proposed or applied (``when``), with probability ``p``;
    * ``restake``: move the stake to the largest-stake operator that was never slashed.
    """

    kind: Literal["hold", "flee", "restake"] = "hold"
    when: Literal["proposed", "applied"] = "applied"
    p: Probability = 1.0


class Fault(_Model):
    """A scripted misbehaviour: ``operator`` (or validator) misbehaves in ``round``.

    ``justified: false`` makes it a false accusation: the offender did nothing, the slash is
    proposed all the same (false report, buggy or malicious reporter, a dispute decided wrongly)."""

    offender: str
    round: StrictInt = Field(ge=1)
    slash_percent: Percent = 10
    disputed: bool = False
    service: StrictInt | None = Field(None, ge=0, description="Index of the service instance (default: the offender's first)")
    justified: bool = Field(True, description="False: a false accusation (ground truth: the offender did nothing)")


# ---------------------------------------------------------------------------------------- genesis
class AssetSpec(_Model):
    id: StrictInt = Field(ge=1)
    symbol: str = Field(min_length=1, max_length=10)
    decimals: StrictInt = Field(18, ge=0, le=36)
    min_balance: StrictInt = Field(1, ge=1)

    @field_validator("symbol")
    @classmethod
    def _symbol(cls, value: str) -> str:
        if value == NATIVE_SYMBOL:
            raise ValueError("TNT is the native asset and is always present")
        return value


class BlueprintSpec(_Model):
    """A service blueprint created at setup by ``owner`` (an actor id)."""

    id: str
    owner: str = "blueprint-owner"


class ServiceSpec(_Model):
    """A service instance requested by ``owner`` on ``blueprint`` and approved by ``operators``."""

    blueprint: str
    owner: str = "service-owner"
    operators: list[str] = Field(min_length=1)
    terminate_on_slash: bool = Field(False, description="The owner terminates the service once one of its operators is slashed")
    terminate_at_round: StrictInt | None = Field(None, ge=1, description="The owner terminates the service in this round (its term ends)")


class OperatorSpec(_Model):
    id: str
    bond: Amount
    balance: Amount | None = Field(None, description="Free TNT at genesis (default: bond + 1,000 TNT)")
    blueprints: list[str] = Field(default_factory=list, description="Blueprints the operator registers on")
    validator: Amount | None = Field(None, description="Also bond this much TNT as a staking validator")
    instance_limit: StrictInt | None = Field(None, ge=0, description="Cap on service instances per blueprint (extension instance_limits)")
    behaviour: OperatorBehaviour = OperatorBehaviour()


class DelegationSpec(_Model):
    operator: str
    asset: str = NATIVE_SYMBOL
    amount: Amount
    blueprints: Literal["all"] | list[str] = "all"


class DelegatorSpec(_Model):
    """A delegator (or ``count`` identical ones, ids ``<id>-1`` ... ``<id>-<count>``)."""

    id: str
    count: StrictInt = Field(1, ge=1, le=10_000)
    delegations: list[DelegationSpec] = Field(min_length=1)
    behaviour: DelegatorBehaviour = DelegatorBehaviour()


class ValidatorSpec(_Model):
    """A staking validator (not an operator); faults are staking offences."""

    id: str
    bond: Amount
    behaviour: OperatorBehaviour = OperatorBehaviour()
    leave_at_round: StrictInt | None = Field(None, ge=1, description="chill and unbond everything in this round")


class PoolMember(_Model):
    id: str
    amount: Amount


class LstPoolSpec(_Model):
    id: str
    creator: str
    bond: Amount
    nominate: list[str] = Field(min_length=1)
    members: list[PoolMember] = Field(default_factory=list)


class RequesterSpec(_Model):
    """Sends ``per_round`` service requests to ``operators`` on ``blueprint`` each round, up to ``total``."""

    id: str
    blueprint: str
    operators: list[str] = Field(min_length=1)
    per_round: StrictInt = Field(1, ge=0)
    total: StrictInt = Field(1, ge=0)
    approve_p: Probability = Field(1.0, description="Chance that the named operators approve a request (else it stays pending and may expire)")
    terminate_after_rounds: StrictInt | None = Field(None, ge=1, description="Terminate each started service this many rounds later")


class GenesisSpec(_Model):
    assets: list[AssetSpec] = Field(default_factory=list)
    blueprints: list[BlueprintSpec] = Field(default_factory=list)
    operators: list[OperatorSpec] = Field(default_factory=list)
    delegators: list[DelegatorSpec] = Field(default_factory=list)
    validators: list[ValidatorSpec] = Field(default_factory=list)
    services: list[ServiceSpec] = Field(default_factory=list)
    lst_pools: list[LstPoolSpec] = Field(default_factory=list)
    requesters: list[RequesterSpec] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------- governance
class NeverVeto(_Model):
    kind: Literal["never"]


class AlwaysVeto(_Model):
    kind: Literal["always"]


class VetoUnder(_Model):
    """Veto slashes of less than ``percent`` percent (governance forgives small slashes)."""

    kind: Literal["veto_under"]
    percent: Percent


class VetoDisputed(_Model):
    """Veto slashes whose evidence is disputed."""

    kind: Literal["veto_disputed"]


class RandomVeto(_Model):
    """Veto each slash with probability ``p`` (governance's own stream)."""

    kind: Literal["random"]
    p: Probability


# whether loading a scenario imports its callable policies' modules: yes when it is about to run
# (a bad ref refused before anything is stored); no when a stored scenario is read only for its
# numbers (``report``, ``export``: :func:`scenario_decimals`), so reading a shared store never runs a
# module's import-time code
IMPORT_POLICIES: ContextVar[bool] = ContextVar("import_policies", default=True)


@contextmanager
def without_policy_imports() -> Iterator[None]:
    """Load scenarios without importing callable policies (their refs are checked for form only)."""
    token = IMPORT_POLICIES.set(False)
    try:
        yield
    finally:
        IMPORT_POLICIES.reset(token)


class CallableVeto(_Model):
    """``ref = "package.module:function"`` called with a :class:`simulations.governance.SlashView`;
    returns True to veto."""

    kind: Literal["callable"]
    ref: str = Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

    @field_validator("ref")
    @classmethod
    def _importable(cls, ref: str) -> str:
        from simulations.governance import check_callable

        if not IMPORT_POLICIES.get():  # read for its numbers only (a report): the policy is never called, so never imported
            return ref
        check_callable(ref)  # a bad ref is refused when the scenario loads, not once the sweep runs
        return ref


class AnyOf(_Model):
    """Veto if any of the policies vetoes."""

    kind: Literal["any_of"]
    policies: list["Policy"] = Field(min_length=1)


Policy = Annotated[Union[NeverVeto, AlwaysVeto, VetoUnder, VetoDisputed, RandomVeto, CallableVeto, AnyOf], Field(discriminator="kind")]
AnyOf.model_rebuild()


GOVERNANCE_PATHS = ("shortcut", "sudo", "council_motion", "referendum_standard", "referendum_fast_track", "referendum_instant", "multisig_dispute")
CONVICTION_NAMES = ("None", "Locked1x", "Locked2x", "Locked3x", "Locked4x", "Locked5x", "Locked6x")


class DelaySpec(_Model):
    """A reaction delay in blocks, drawn per slash (and per stage) from the agent's own stream:
    ``fixed`` (``blocks``), ``uniform`` (``low`` .. ``high`` inclusive), ``exponential`` (``mean``,
    rounded down), or ``never`` (the agent does not act at all)."""

    kind: Literal["fixed", "uniform", "exponential", "never"] = "fixed"
    blocks: StrictInt = Field(0, ge=0, le=HARD_MAX_BLOCKS)
    low: StrictInt = Field(0, ge=0, le=HARD_MAX_BLOCKS)
    high: StrictInt = Field(0, ge=0, le=HARD_MAX_BLOCKS)
    mean: StrictInt = Field(0, ge=0, le=HARD_MAX_BLOCKS)

    @model_validator(mode="after")
    def _ordered(self) -> "DelaySpec":
        if self.kind == "uniform" and self.high < self.low:
            raise ValueError(f"uniform delay: high ({self.high}) is below low ({self.low})")
        return self


class GovAgentSpec(_Model):
    """A councillor or token holder (or ``count`` alike, ids ``<id>-1`` ...): whether it takes part in a
    given process (``turnout``), how long it takes to act at each stage (``reaction``), and how it
    decides (``policy``, default: the scenario's ``governance.policy``). Token holders vote with
    ``balance`` (funded at genesis) and ``conviction``."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    count: StrictInt = Field(1, ge=1, le=100)
    turnout: Probability = 1.0
    reaction: DelaySpec = DelaySpec()
    policy: Policy | None = None
    balance: Amount = 0
    conviction: Literal["None", "Locked1x", "Locked2x", "Locked3x", "Locked4x", "Locked5x", "Locked6x"] = "None"

    def ids(self) -> list[str]:
        return [self.id] if self.count == 1 else [f"{self.id}-{i}" for i in range(1, self.count + 1)]


class GovernanceSpec(_Model):
    """Who decides on vetoes and how fast.

    ``reaction_blocks``: blocks between a slash proposal and the moment a decided veto lands (the vote
    takes time); a veto that would land after the rule's last veto block is too late.
    ``resolver``: whether a Symbiotic resolver is set (without one slashes execute at once).

    ``path``: how a veto governance wants reaches the chain under the native rules
    (``substrate_staking``, ``tangle_services``). ``shortcut`` (default) is the origin shortcut above.
    The others are real processes run by the agents below: ``sudo`` (the sudo key, ``Sudo.sudo`` /
    ``sudo_as``), ``council_motion`` (a Council motion carrying the veto itself; the runtime gives the
    Council no origin that can make it, so it fails ``BadOrigin``), ``referendum_standard`` (a public
    Democracy proposal: launch, vote, enactment), ``referendum_fast_track`` / ``referendum_instant``
    (external by council motion, then ``fast_track`` with FastTrackVotingPeriod or 1 block), and
    ``multisig_dispute`` (the blueprints' owner, hence the services' dispute origin, is the multisig
    account of the councillors, ``multisig_threshold`` of them; they approve ``Services.dispute``
    with ``Multisig.as_multi``). ``council``, ``voters``, ``sudo``: the agents (defaults: five councillors, one holder, a key
    holder, each reacting after ``reaction_blocks``).
    """

    policy: Policy = NeverVeto(kind="never")
    reaction_blocks: StrictInt = Field(0, ge=0)
    resolver: bool = True
    path: Literal["shortcut", "sudo", "council_motion", "referendum_standard", "referendum_fast_track", "referendum_instant", "multisig_dispute"] = "shortcut"
    sudo: GovAgentSpec | None = None
    council: list[GovAgentSpec] = Field(default_factory=list, max_length=20)
    voters: list[GovAgentSpec] = Field(default_factory=list, max_length=100)
    fast_track_voting_period: StrictInt | None = Field(None, ge=1, le=HARD_MAX_BLOCKS, description="default: Democracy's FastTrackVotingPeriod")
    multisig_threshold: StrictInt | None = Field(None, ge=1, le=100, description="multisig_dispute: approvals needed (default: more than half the councillors)")

    def council_ids(self) -> list[tuple[str, GovAgentSpec]]:
        return [(i, spec) for spec in self.council for i in spec.ids()]

    def voter_ids(self) -> list[tuple[str, GovAgentSpec]]:
        return [(i, spec) for spec in self.voters for i in spec.ids()]

    @model_validator(mode="after")
    def _agents_fit(self) -> "GovernanceSpec":
        seats = sum(s.count for s in self.council)
        if seats > 100:
            raise ValueError(f"council: {seats} seats; the Council's MaxMembers is 100")
        if self.multisig_threshold is not None and self.council and self.multisig_threshold > seats:
            raise ValueError(f"multisig_threshold {self.multisig_threshold} is above the number of councillors ({seats})")
        ids = [i for i, _ in self.council_ids()] + [i for i, _ in self.voter_ids()]
        dup = _repeated(ids)
        if dup:
            raise ValueError(f"governance agent ids must be unique; repeated: {dup}")
        return self


# ---------------------------------------------------------------------------------------- parameters
class SymbioticParams(_Model):
    """VetoSlasher timing in blocks (timestamps are block numbers): ``veto_blocks < epoch_blocks``."""

    epoch_blocks: StrictInt = Field(60, ge=2)
    veto_blocks: StrictInt = Field(30, ge=0)

    @model_validator(mode="after")
    def _veto_shorter_than_epoch(self) -> "SymbioticParams":
        if self.veto_blocks >= self.epoch_blocks:
            raise ValueError(f"veto_blocks ({self.veto_blocks}) must be < epoch_blocks ({self.epoch_blocks}) (InvalidVetoDuration)")
        return self


class EigenLayerParams(_Model):
    """VetoableSlasher ``vetoWindowBlocks`` and the core's slash resolution delay (burn later)."""

    veto_window_blocks: StrictInt = Field(30, ge=0)
    resolution_delay_blocks: StrictInt = Field(50, ge=0)


class Parameters(_Model):
    profile: Literal["intended", "real"] = "intended"
    session_length: StrictInt = Field(10, ge=2, description="Blocks per session = MAD round")
    sessions_per_era: StrictInt = Field(3, ge=1)
    slash_defer_duration: StrictInt = Field(7, ge=0, description="Services SlashDeferDuration (rounds)")
    staking_slash_defer_duration: StrictInt = Field(2, ge=0, description="Staking SlashDeferDuration (eras)")
    staking_bonding_duration: StrictInt = Field(3, ge=1)
    detection_blocks: StrictInt = Field(0, ge=0, description="Blocks from a fault to its slash proposal")
    request_expiry_blocks: StrictInt | None = Field(None, ge=1)
    instance_limits: bool | None = None
    symbiotic: SymbioticParams = SymbioticParams()
    eigenlayer: EigenLayerParams = EigenLayerParams()
    constants: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Extra per-pallet constant overrides")
    extensions: dict[str, Any] = Field(default_factory=dict, description="Extra runtime extensions")

    @model_validator(mode="after")
    def _defer_below_bonding(self) -> "Parameters":
        if self.staking_slash_defer_duration >= self.staking_bonding_duration:
            raise ValueError("staking_slash_defer_duration must be < staking_bonding_duration (pallet_staking requires SlashDeferDuration < BondingDuration)")
        return self


class Length(_Model):
    """How long to run: exactly one of rounds, blocks or eras."""

    rounds: StrictInt | None = Field(None, ge=1)
    blocks: StrictInt | None = Field(None, ge=1)
    eras: StrictInt | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> "Length":
        given = [k for k in ("rounds", "blocks", "eras") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of rounds, blocks, eras (got {given or 'none'})")
        return self

    def total_blocks(self, session_length: int, sessions_per_era: int) -> int:
        if self.blocks is not None:
            return self.blocks
        if self.rounds is not None:
            return self.rounds * session_length
        return self.eras * sessions_per_era * session_length  # type: ignore[operator]


class BranchSpec(_Model):
    """What-if branching: fork at the ``at_slash``-th proposed slash (0-based) under ``rule``."""

    rule: Literal["tangle_services", "substrate_staking", "symbiotic", "eigenlayer"] = "tangle_services"
    at_slash: StrictInt = Field(0, ge=0)


PRICE_ACCEPTED = "a price is a finite number >= 0, or a list of per-round prices (finite numbers >= 0)"


def _one_price(value: Any) -> float | None:
    """``value`` as a price, or None when it is not one. A numeric string is a number (YAML reads
    ``--param prices.assets.TNT=1e3`` as the string '1e3'); a bool is not."""
    if isinstance(value, str) and len(value) <= 100:
        try:
            value = float(value.replace("_", ""))
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        price = float(value)
    except OverflowError:  # an int past float's range
        return None
    return price if math.isfinite(price) and price >= 0 else None


def _price(value: Any) -> float | list[float]:
    """One price or a path of them, with one message saying what is accepted: a union of the two
    would report each branch's complaint (``Input should be a finite number`` *and* ``Input should
    be a valid list``) for a single wrong value. A custom error type: the message is ours alone
    (no ``Value error,`` prefix)."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise PydanticCustomError("price", f"a price path needs at least one entry; {PRICE_ACCEPTED}")
        path = [_one_price(p) for p in value]
        bad = next((i for i, p in enumerate(path) if p is None), None)
        if bad is not None:
            raise PydanticCustomError("price", f"entry {bad} of the price path is {value[bad]!r:.60}; {PRICE_ACCEPTED}")
        return path  # type: ignore[return-value]
    price = _one_price(value)
    if price is None:
        raise PydanticCustomError("price", PRICE_ACCEPTED)
    return price


Price = Annotated[Any, PlainValidator(_price)]


class Prices(_Model):
    """What one whole token of each asset is worth in the ``numeraire`` (reports only, never state).

    A price is a constant or a path over rounds (``[1.0, 0.95, ...]``: round ``r`` uses entry ``r``,
    the last entry holds after the path ends). Without prices the numeraire is TNT at 1.0, and
    losses in other assets have no value (NaN, never zero)."""

    numeraire: str = Field("USD", min_length=1, max_length=10)
    assets: dict[str, Price] = Field(default_factory=dict)


class EndSpec(_Model):
    """What happens to slashes still pending when the rounds are over.

    ``drain`` (default): the run continues, with no new faults, accusations or requests, until the
    queue is empty or ``max_drain_rounds`` more rounds have passed; whatever is still pending then
    is reported as ``pending_at_end``. ``censor``: stop at the last round and report the pending
    slashes (count and value at risk) as censored."""

    pending: Literal["drain", "censor"] = "drain"
    max_drain_rounds: StrictInt = Field(200, ge=0, le=100_000)


class ArmDecl(_Model):
    """A named arm: a veto policy (a name from ``policies``, a built-in kind, or an inline policy),
    a timing rule, and parameter overrides (dotted keys, as ``--param``)."""

    name: str = Field(min_length=1, max_length=120)
    policy: Union[str, "Policy"] | None = None
    rule: Literal["tangle_services", "substrate_staking", "symbiotic", "eigenlayer"]
    params: dict[str, Any] = Field(default_factory=dict)


class Scenario(_Model):
    name: str
    description: str = ""
    seed: StrictInt = 0
    length: Length
    parameters: Parameters = Parameters()
    genesis: GenesisSpec
    faults: list[Fault] = Field(default_factory=list)
    governance: GovernanceSpec = GovernanceSpec()
    rules: list[Literal["tangle_services", "substrate_staking", "symbiotic", "eigenlayer"]] = Field(default_factory=lambda: list(RULE_NAMES), min_length=1)
    branches: BranchSpec | None = None
    prices: Prices | None = None
    end: EndSpec = EndSpec()
    policies: dict[str, Policy] = Field(default_factory=dict, description="Named veto policies that arms and --policy refer to")
    arms: list[ArmDecl] = Field(default_factory=list, description="Arms a sweep (and `tangle-sim run`, one seed each) runs when the command line names no rule, policy or grid")

    @model_validator(mode="after")
    def _references(self) -> "Scenario":
        """Every actor id referenced must exist (errors name the referencing field)."""
        g = self.genesis
        ops = {o.id for o in g.operators}
        vals = {v.id for v in g.validators} | {o.id for o in g.operators if o.validator is not None}
        bps = {b.id for b in g.blueprints}
        symbols = {NATIVE_SYMBOL} | {a.symbol for a in g.assets}
        ids: list[str] = [o.id for o in g.operators] + [v.id for v in g.validators] + [p.id for p in g.lst_pools]
        for d in g.delegators:
            ids += [d.id] if d.count == 1 else [f"{d.id}-{i}" for i in range(1, d.count + 1)]
        dup = _repeated(ids)
        if dup:
            raise ValueError(f"actor ids must be unique; repeated: {dup}")
        problems = []
        for i, o in enumerate(g.operators):
            problems += [f"genesis.operators[{i}].blueprints: unknown blueprint {b!r}" for b in o.blueprints if b not in bps]
        for i, d in enumerate(g.delegators):
            for j, dl in enumerate(d.delegations):
                if dl.operator not in ops:
                    problems.append(f"genesis.delegators[{i}].delegations[{j}].operator: unknown operator {dl.operator!r}")
                if dl.asset not in symbols:
                    problems.append(f"genesis.delegators[{i}].delegations[{j}].asset: unknown asset {dl.asset!r}")
                if dl.blueprints != "all":
                    problems += [f"genesis.delegators[{i}].delegations[{j}].blueprints: unknown blueprint {b!r}" for b in dl.blueprints if b not in bps]
        for i, s in enumerate(g.services):
            if s.blueprint not in bps:
                problems.append(f"genesis.services[{i}].blueprint: unknown blueprint {s.blueprint!r}")
            problems += [f"genesis.services[{i}].operators: unknown operator {o!r}" for o in s.operators if o not in ops]
        for i, p in enumerate(g.lst_pools):
            problems += [f"genesis.lst_pools[{i}].nominate: {v!r} is not a validator" for v in p.nominate if v not in vals]
        for i, r in enumerate(g.requesters):
            if r.blueprint not in bps:
                problems.append(f"genesis.requesters[{i}].blueprint: unknown blueprint {r.blueprint!r}")
            problems += [f"genesis.requesters[{i}].operators: unknown operator {o!r}" for o in r.operators if o not in ops]
        last_round = Clock(self.parameters.session_length, self.parameters.sessions_per_era).round_of(self.total_blocks())
        for i, f in enumerate(self.faults):
            if f.offender not in ops | vals:
                problems.append(f"faults[{i}].offender: unknown operator or validator {f.offender!r}")
            if f.round > last_round:  # never injected: the run would report a clean zero for a fault that never happened
                problems.append(f"faults[{i}].round: {f.round} is after the run's last round ({last_round}), so the fault would never happen")
        if self.prices is not None:
            problems += [f"prices.assets: unknown asset {sym!r}" for sym in self.prices.assets if sym not in symbols]
            held = {NATIVE_SYMBOL} | {dl.asset for d in g.delegators for dl in d.delegations}
            missing = sorted(held - set(self.prices.assets))
            if missing:
                problems.append(f"prices.assets: no price for {missing} (every asset at stake needs one, or losses would not add up)")
        taken = set(ids) | {b.owner for b in g.blueprints} | {s.owner for s in g.services} | {r.id for r in g.requesters}
        for p in g.lst_pools:
            taken |= {p.creator} | {m.id for m in p.members}
        gov_ids = [i for i, _ in self.governance.council_ids()] + [i for i, _ in self.governance.voter_ids()]
        gov_ids += [f"gov-councillor-{k}" for k in range(1, 6)] if not self.governance.council else []  # the defaults
        gov_ids += ["gov-holder"] if not self.governance.voters else []
        problems += [f"governance: agent id {i!r} is already an actor of the scenario" for i in gov_ids if i in taken]
        for i, arm in enumerate(self.arms):
            if isinstance(arm.policy, str) and arm.policy not in self.policies and arm.policy not in ("never", "always", "veto_disputed"):
                problems.append(f"arms[{i}].policy: unknown policy {arm.policy!r}; named: {sorted(self.policies)}")
        if problems:
            raise ReferenceProblems(problems)
        return self

    @field_validator("seed")
    @classmethod
    def _seed_u64(cls, value: int) -> int:
        if not 0 <= value <= U64_MAX:
            raise ValueError(f"a seed is an unsigned 64-bit integer, from 0 to {U64_MAX}")
        return value

    @model_validator(mode="after")
    def _bounded_length(self, info: ValidationInfo) -> "Scenario":
        """The run length in blocks against the stated maximum (context ``max_blocks``)."""
        limit = min((info.context or {}).get("max_blocks", MAX_BLOCKS), HARD_MAX_BLOCKS)
        blocks = self.total_blocks()
        if blocks > limit:
            key = next(k for k in ("rounds", "blocks", "eras") if getattr(self.length, k) is not None)
            how = (f"pass --allow-long to run up to {HARD_MAX_BLOCKS:,} blocks" if limit < HARD_MAX_BLOCKS
                   else "the runtime's block number is a u32")
            size = f"{blocks:,} blocks" if key == "blocks" else f"{getattr(self.length, key):,} {key} is {blocks:,} blocks"
            raise ReferenceProblems([f"length.{key}: {size}, over the limit of {limit:,} ({how})"])
        return self

    # -------------------------------------------------------------------- derived views
    def delegator_ids(self) -> list[tuple[str, DelegatorSpec]]:
        out = []
        for d in self.genesis.delegators:
            if d.count == 1:
                out.append((d.id, d))
            else:
                out += [(f"{d.id}-{i}", d) for i in range(1, d.count + 1)]
        return out

    def total_blocks(self) -> int:
        return self.length.total_blocks(self.parameters.session_length, self.parameters.sessions_per_era)

    def decimals(self) -> dict[str, int]:
        return {NATIVE_SYMBOL: NATIVE_DECIMALS} | {a.symbol: a.decimals for a in self.genesis.assets}


class ReferenceProblems(ValueError):
    """Cross-reference errors, each already prefixed with its dotted field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


# ---------------------------------------------------------------------------------------- loading
def override_path(dotted_key: str) -> list[str]:
    """The field path an override key sets (``parameters.`` implied, as :func:`set_path` says);
    ``operators[2]`` is read as ``operators.2``."""
    import re

    keys = re.sub(r"\[(\d+)\]", r".\1", dotted_key).split(".")
    if keys[0] in Parameters.model_fields and keys[0] not in Scenario.model_fields:  # eigenlayer.veto_window_blocks=30 too
        keys = ["parameters"] + keys
    return keys


class OverridePathError(ValueError):
    """An override key that cannot be followed (a list entry that does not exist, a list indexed by a
    name); the message names the part of the key at fault."""


def set_path(data: dict, dotted_key: str, value: Any) -> tuple[str | int, ...]:
    """Set ``a.b.c`` (or a top-level key) in nested dicts, and return the path set (list indices as
    ints). A numeric part indexes a list the file wrote (``genesis.operators.2.behaviour.p``: the third
    operator); ``parameters.`` is implied for a key that starts with a parameter's name
    (``slash_defer_duration=14``, ``eigenlayer.veto_window_blocks=30``)."""
    keys = override_path(dotted_key)
    node: Any = data
    path: list[str | int] = []
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        if isinstance(node, list):
            where = ".".join(str(k) for k in path)
            if not key.isdigit() or not key.isascii():
                raise OverridePathError(f"{where} is a list: index it by number (0 to {len(node) - 1}), not {key[:40]!r}")
            index = int(key) if len(key) <= 18 else len(node)  # past any list (and int() of 5,000 digits raises)
            if index >= len(node):
                raise OverridePathError(f"{where} has {len(node)} entries (0 to {len(node) - 1}): no entry {key[:40]}")
            path.append(index)
            if last:
                node[index] = value
            elif not isinstance(node[index], (dict, list)):
                node[index] = {}
            node = node[index]
            continue
        path.append(key)
        if last:
            node[key] = value
            break
        nxt = node.get(key)
        if not isinstance(nxt, (dict, list)):
            nxt = node[key] = {}
        node = nxt
    return tuple(path)


def _context(data: Any, max_blocks: int | None = None) -> dict[str, Any]:
    decimals = {NATIVE_SYMBOL: NATIVE_DECIMALS}
    if not isinstance(data, dict):
        return {"decimals": decimals, "from_file": True, "max_blocks": MAX_BLOCKS if max_blocks is None else max_blocks}
    try:
        for a in data.get("genesis", {}).get("assets", []) or []:
            if isinstance(a, dict) and isinstance(a.get("symbol"), str) and isinstance(a.get("decimals", 18), int):
                decimals[a["symbol"]] = a.get("decimals", 18)
    except AttributeError:
        pass
    return {"decimals": decimals, "from_file": True, "max_blocks": MAX_BLOCKS if max_blocks is None else max_blocks}


def validate_document(doc: LoadedDocument, overrides: dict[str, Any] | None = None, max_blocks: int | None = None,
                      flags: dict[str, str] | None = None) -> Scenario:
    """Validate a loaded document (after applying ``overrides``), raising ScenarioError with lines;
    an error in an override names its flag (``flags[key]``, default ``--param KEY``), not the file."""
    data = copy.deepcopy(doc.data)
    if not isinstance(data, dict):
        raise ScenarioError(doc.source, [f"{doc.source}:1:1: a scenario must be a mapping of fields"])
    labels: dict[tuple[Any, ...], str] = {}
    for key, value in (overrides or {}).items():
        flag = (flags or {}).get(key, f"--param {key}")
        try:
            labels[set_path(data, key, value)] = flag
        except OverridePathError as exc:
            raise ScenarioError(doc.source, [f"{flag}: {exc}"]) from None
    doc = LoadedDocument(doc.source, data, doc.positions)
    try:
        return Scenario.model_validate(data, context=_context(data, max_blocks))
    except ValidationError as exc:
        ref = _reference_problems(exc)
        if ref is not None:
            raise _reference_error(doc, ref) from None
        raise format_validation_error(doc, exc, flags=labels) from None


def _reference_problems(exc: ValidationError) -> list[str] | None:
    for err in exc.errors(include_url=False):
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, ReferenceProblems):
            return ctx_err.problems
    return None


def _reference_error(doc: LoadedDocument, problems: list[str]) -> ScenarioError:
    import re

    lines = []
    for problem in problems:
        field, _, message = problem.partition(": ")
        path: list[Any] = []
        for name, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", field):
            path.append(int(index) if index else name)
        _, pos = doc.locate(path)
        where = f"{doc.source}:{pos[0]}:{pos[1]}" if pos else doc.source
        lines.append((pos[0] if pos else 0, f"{where}: {field}: {message}"))
    lines.sort(key=lambda p: p[0])
    return ScenarioError(doc.source, [text for _, text in lines])


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None, text: str | None = None) -> Scenario:
    """Read and validate a scenario file (YAML or TOML by suffix)."""
    return validate_document(load_document(path, text), overrides)


def parse_param_value(text: str) -> Any:
    """``14`` -> 14, ``0.5`` -> 0.5, ``true`` -> True, anything else stays a string (YAML scalar rules)."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def scenario_decimals(run: Any) -> dict[str, int]:
    """Decimals per asset symbol, from the scenario text stored with a run (``RunStore`` row)."""
    import json

    try:
        suffix = Path(run.scenario_path or "s.yaml").suffix or ".yaml"
        with without_policy_imports():  # the decimals need no policy: a report on a shared store imports nothing
            return load_scenario(f"stored{suffix}", json.loads(run.overrides_json or "{}"), text=run.scenario_text).decimals()
    except Exception:  # noqa: BLE001 - a scenario the current schema no longer reads still has a report
        return {"TNT": 18}
