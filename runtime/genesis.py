"""Genesis configuration: a pydantic model, so a bad config fails with the field it got wrong."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from runtime.accounts import DEV_NAMES, normalize_account

UNIT = 10**18  # 1 TNT in base units (18 decimals)
MAX_U128 = (1 << 128) - 1


def _account(value: Any) -> str:
    return normalize_account(value)


def _amount(value: int, who: Any = None) -> int:
    """A balance (u128); ``who`` names the account in the error."""
    of = f"{who}: " if who is not None else ""
    if value < 0:
        raise ValueError(f"{of}a balance must not be negative, got {value}")
    if value > MAX_U128:
        raise ValueError(f"{of}a balance overflows u128")
    return value


class AssetGenesis(BaseModel):
    """A pallet_assets asset created at genesis (what ``force_create`` + ``set_metadata`` + ``mint`` would do)."""

    # validate_default: the default owner "Alice" must be normalised to SS58 too, or a genesis written
    # to a call log (where the default becomes explicit) replays to a different state
    model_config = ConfigDict(extra="forbid", validate_default=True)

    id: StrictInt = Field(ge=1, le=MAX_U128)
    owner: str = "Alice"
    is_sufficient: bool = True
    min_balance: StrictInt = Field(1, ge=1)
    name: str = ""
    symbol: str = ""
    decimals: StrictInt = Field(18, ge=0, le=255)
    balances: dict[str, StrictInt] = {}

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        return _account(value)

    @field_validator("balances")
    @classmethod
    def _balances(cls, value: dict[str, int]) -> dict[str, int]:
        return {_account(k): _amount(v, k) for k, v in value.items()}


class ValidatorGenesis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stash: str
    bond: StrictInt = Field(100 * UNIT, ge=0)

    @field_validator("stash")
    @classmethod
    def _stash(cls, value: str) -> str:
        return _account(value)


class StakingGenesis(BaseModel):
    """pallet_staking genesis as the testnet chain spec sets it (authorities bond 100 TNT as validators)."""

    model_config = ConfigDict(extra="forbid")

    validators: list[ValidatorGenesis] = []
    validator_count: StrictInt | None = None
    minimum_validator_count: StrictInt | None = None
    slash_reward_fraction: StrictInt = Field(100_000_000, ge=0, le=10**9, description="Perbill; 10%")
    era_payout: StrictInt = Field(0, ge=0, description="TNT minted per era for validators and nominators (0 = reward curve)")


class FeeConfig(BaseModel):
    """Transaction fees (off by default): ``base_fee + weight * fee_per_weight // 10**12`` per signed call."""

    model_config = ConfigDict(extra="forbid")

    base_fee: StrictInt = Field(10**15, ge=0)
    fee_per_weight: StrictInt = Field(10**12, ge=0, description="base units per 10**12 weight (one second)")


class UpgradeConfig(BaseModel):
    """A runtime upgrade scheduled at a block: by name (see runtime.upgrades.KNOWN_UPGRADES) or spelled out."""

    model_config = ConfigDict(extra="forbid")

    at_block: StrictInt = Field(ge=1)
    name: str | None = None
    spec_version: StrictInt | None = None
    constants: dict[str, dict[str, StrictInt]] = {}
    quirks: dict[str, bool] = {}
    description: str = ""


class GenesisConfig(BaseModel):
    """Everything a runtime starts from. ``Runtime.dev()`` builds the usual dev chain from defaults."""

    model_config = ConfigDict(extra="forbid")

    seed: StrictInt = 0
    profile: Literal["intended", "real"] = "intended"
    quirks: dict[str, bool] = {}
    extensions: dict[str, Any] = {}
    balances: dict[str, StrictInt] = {}
    sudo: str | None = "Alice"
    council: list[str] = []
    assets: list[AssetGenesis] = []
    session_length: StrictInt = Field(1200, ge=1, description="Blocks per session (= MAD round); 1200 on testnet")
    sessions_per_era: StrictInt = Field(3, ge=1)
    transaction_fees: bool = False
    fees: FeeConfig = FeeConfig()
    constants: dict[str, dict[str, Any]] = {}
    upgrades: list[UpgradeConfig] = []
    staking: StakingGenesis = StakingGenesis()
    pallets: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Extra per-pallet genesis sections")

    @field_validator("balances")
    @classmethod
    def _balances(cls, value: dict[str, int]) -> dict[str, int]:
        return {_account(k): _amount(v, k) for k, v in value.items()}

    @field_validator("extensions")
    @classmethod
    def _extensions(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Unknown extension names and values of the wrong type are refused here (a typo would
        otherwise run with the default, silently)."""
        from runtime.profile import check_extensions

        check_extensions(value)
        return value

    @model_validator(mode="after")
    def _constants(self) -> "GenesisConfig":
        """Constant overrides of the standard pallets are checked now (names, types, unsigned range),
        before any runtime is built; a custom runtime's own pallets are checked when it is built."""
        if self.constants:
            from runtime.construct import standard_constants
            from runtime.pallet import constants_with

            known = standard_constants()
            for pallet, values in self.constants.items():
                if pallet in known:
                    constants_with(known[pallet], values, f"constants.{pallet}")
        return self

    @field_validator("sudo")
    @classmethod
    def _sudo(cls, value: str | None) -> str | None:
        return None if value is None else _account(value)

    @field_validator("council")
    @classmethod
    def _council(cls, value: list[str]) -> list[str]:
        return [_account(v) for v in value]

    @classmethod
    def dev(cls, seed: int = 0, **overrides: Any) -> "GenesisConfig":
        """The dev chain: Alice..Ferdie with 1,000,000 TNT each, Alice sudo and the only validator."""
        base: dict[str, Any] = {
            "seed": seed,
            "balances": {name: 1_000_000 * UNIT for name in DEV_NAMES},
            "sudo": "Alice",
            "council": ["Alice", "Bob", "Charlie"],
            "staking": {"validators": [{"stash": "Alice", "bond": 100 * UNIT}]},
        }
        base.update(overrides)
        return cls.model_validate(base)
