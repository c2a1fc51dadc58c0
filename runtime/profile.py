"""Behaviour profiles: ``intended`` (default) or ``real``, plus the simulator's extensions.

``intended`` runs what the design notes and doc comments describe, with the extensions the users
asked for switched on. ``real`` reproduces the deployed runtime: every quirk in
:mod:`runtime.quirks` on, every extension off, so the bridge can diff call by call against a
live node. Either can be adjusted per run (a quirk or an extension switched individually).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, field_validator

from runtime.quirks import QUIRKS


class Extensions(BaseModel):
    """Simulator extensions (not in the real runtime). All on under ``intended``, all off under ``real``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_limits: StrictBool = Field(True, description="Operators cap active service instances per blueprint.")
    request_expiry: StrictBool = Field(True, description="Pending service requests expire, refunded, after request_expiry_blocks.")
    request_expiry_blocks: StrictInt = Field(1000, ge=1, le=2**32 - 1, description="Blocks a pending request lives (a runtime parameter).")
    request_modification: StrictBool = Field(True, description="Requesters may modify a pending request; approvals reset.")
    operator_exit_guard: StrictBool = Field(True, description="MAD execute_leave_operators refuses while the operator still runs services.")
    mad_slashing: StrictBool = Field(True, description="Due service slashes are applied through MultiAssetDelegation (SlashManager).")
    service_rewards: StrictBool = Field(True, description="Per-era rewards to operators and their delegators in proportion to stake.")
    qos_rewards: StrictBool = Field(True, description="Per-era rewards weighted by the QoS points blueprint managers report (pallets/rewards/qos.py).")

    @classmethod
    def all_off(cls) -> "Extensions":
        return cls(instance_limits=False, request_expiry=False, request_modification=False, operator_exit_guard=False, mad_slashing=False, service_rewards=False,
                   qos_rewards=False)


def check_extensions(overrides: Any) -> None:
    """Raise ``ParamError`` naming ``extensions.<name>`` for an unknown extension or a value of the
    wrong type or range (``request_expiry_blocks: -5``, ``mad_slashing: "yes"``)."""
    from runtime.codec import ParamError

    if isinstance(overrides, Extensions):
        return
    if not isinstance(overrides, dict):
        raise ParamError("extensions", f"expected a mapping of extension names to values, got {type(overrides).__name__}")
    fields = Extensions.model_fields
    for name, value in overrides.items():
        if name not in fields:
            raise ParamError(f"extensions.{name}", f"unknown extension; known: {sorted(fields)}")
        try:
            Extensions.model_validate({name: value})
        except ValidationError as exc:
            raise ParamError(f"extensions.{name}", f"{exc.errors()[0]['msg']} (got {repr(value)[:40]})") from None


class Profile(BaseModel):
    """Which behaviour the runtime runs. Built from the genesis config; immutable afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["intended", "real"] = "intended"
    quirks: frozenset[str] = frozenset()
    extensions: Extensions = Extensions()

    @field_validator("quirks")
    @classmethod
    def _known(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(set(value) - set(QUIRKS))
        if unknown:
            raise ValueError(f"unknown quirk(s) {unknown}; known: {sorted(QUIRKS)}")
        return value

    @classmethod
    def build(cls, name: str = "intended", quirks: dict[str, bool] | None = None, extensions: dict | Extensions | None = None) -> "Profile":
        if name not in ("intended", "real"):
            raise ValueError(f"profile must be 'intended' or 'real', got {name!r}")
        active = set(QUIRKS) if name == "real" else set()
        for key, on in (quirks or {}).items():
            if key not in QUIRKS:
                raise ValueError(f"unknown quirk {key!r}; known: {sorted(QUIRKS)}")
            (active.add if on else active.discard)(key)
        if isinstance(extensions, Extensions):
            ext = extensions
        else:
            check_extensions(extensions or {})
            base = Extensions.all_off() if name == "real" else Extensions()
            ext = Extensions.model_validate({**base.model_dump(), **(extensions or {})}) if extensions else base
        return cls(name=name, quirks=frozenset(active), extensions=ext)

    def quirk(self, key: str) -> bool:
        return key in self.quirks
