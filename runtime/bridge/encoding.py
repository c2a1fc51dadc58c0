"""Call logs as real extrinsics: encode every call with substrate-interface and decode it back.

Why: a call log is the simulator's promise that the same calls can be sent to a Tangle node. This
module keeps the promise checkable offline: each logged call is composed against the real
metadata, wrapped as the chain would need it (calls dispatched as root or by a governance origin
go through ``Sudo.sudo`` signed by the sudo key; unsigned calls become unsigned extrinsics), signed
with the dev key of its origin with an explicit nonce, mortal era and genesis hash, decoded back,
compared with the logged params (through the simulator's codecs, so SS58/hex/enum spellings do
not matter), and its signature checked the way :mod:`runtime.bridge.node` checks submissions.

Simulator extensions are skipped with a note: the chain has no such calls.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable

from scalecodec.types import GenericCall, GenericExtrinsic
from substrateinterface import Keypair

from runtime.accounts import normalize_account
from runtime.bridge.keyring import Keyring
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.normalize import chain_call_to_params, same_params
from runtime.bridge.offline import OfflineSubstrate
from runtime.bridge.signing import SignatureError, signed_parts, verify_signature
from runtime.calllog import CallLogError, read_log
from runtime.genesis import GenesisConfig
from runtime.origin import GOVERNANCE_ORIGINS

ERA_PERIOD = 64
SUDO_WRAPPED = ("root", *GOVERNANCE_ORIGINS)


@dataclass
class EncodedCall:
    """One call of the log and what became of it."""

    line: int
    block: int
    origin: str
    module: str
    function: str
    status: str  # ok | skipped | failed
    detail: str = ""
    signer: str | None = None
    wrapped: bool = False
    extrinsic: str | None = None

    @property
    def name(self) -> str:
        return f"{self.module}.{self.function}"


@dataclass
class EncodingReport:
    calls: list[EncodedCall] = field(default_factory=list)
    seconds: Counter = field(default_factory=Counter)

    @property
    def failures(self) -> list[EncodedCall]:
        return [c for c in self.calls if c.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failures

    def count(self, status: str) -> int:
        return sum(1 for c in self.calls if c.status == status)

    @property
    def encoded(self) -> int:
        return sum(1 for c in self.calls if c.extrinsic is not None)

    def rate(self, *stages: str) -> float:
        """Calls per second through ``stages`` (compose, sign, decode, verify)."""
        spent = sum(self.seconds[s] for s in stages)
        return self.encoded / spent if spent else float("inf")

    def merge(self, other: "EncodingReport") -> "EncodingReport":
        self.calls += other.calls
        self.seconds.update(other.seconds)
        return self


_OFFLINE: dict[str, OfflineSubstrate] = {}


def _offline(md: RuntimeMetadata, genesis_hash: str, block_hash: Any) -> OfflineSubstrate:
    """One offline SubstrateInterface per metadata (building one costs ~0.1 s), re-pointed per chain."""
    sub = _OFFLINE.get(md.hash)
    if sub is None:
        sub = _OFFLINE[md.hash] = OfflineSubstrate(md, genesis_hash, block_hash)
    sub.genesis_hash = genesis_hash
    sub._block_hash = block_hash
    return sub


class LogEncoder:
    """Encodes calls of one chain (one genesis): keeps per-signer nonces like the chain does."""

    def __init__(self, md: RuntimeMetadata, genesis: GenesisConfig | dict[str, Any], keyring: Keyring | None = None, *, verify: bool = True) -> None:
        from runtime.runtime import Runtime

        self.md = md
        config = genesis if isinstance(genesis, GenesisConfig) else GenesisConfig.model_validate(genesis)
        chain = Runtime(config)  # only for the chain's deterministic genesis and block hashes
        self._block_hash = chain.block_hash
        self.genesis_hash = chain.genesis_hash
        self.sudo = config.sudo
        self.keyring = keyring or Keyring()
        self.sub = _offline(md, self.genesis_hash, self._block_hash)
        self.verify = verify
        self.nonces: Counter = Counter()
        self.report = EncodingReport()

    # --- one call
    def compose(self, module: str, function: str, params: dict[str, Any]) -> GenericCall:
        return self.sub.compose_call(module, function, params)

    def signer_for(self, origin: str) -> tuple[str | None, bool]:
        """(signing account, wrapped in Sudo.sudo?) for a log origin; (None, False) for unsigned."""
        if origin in SUDO_WRAPPED:
            if self.sudo is None:
                raise ValueError(f"origin {origin!r} needs Sudo.sudo, but the chain has no sudo key")
            return self.sudo, True
        if origin in ("none", "unsigned"):
            return None, False
        return normalize_account(origin), False

    def build(self, origin: str, module: str, function: str, params: dict[str, Any], block: int) -> tuple[GenericExtrinsic, str | None, bool, bool]:
        """Compose and sign one call: (extrinsic, signer, wrapped in sudo, signed with a real key)."""
        signer, wrapped = self.signer_for(origin)
        pair = self.keyring.keypair(signer) if signer is not None else None  # key derivation is not encoding
        t0 = time.perf_counter()
        call = self.compose(module, function, params)
        if wrapped:
            call = self.compose("Sudo", "sudo", {"call": call})
        t1 = time.perf_counter()
        self.report.seconds["compose"] += t1 - t0
        if signer is None:
            xt = self.sub.create_unsigned_extrinsic(call)
            self.report.seconds["sign"] += time.perf_counter() - t1
            return xt, None, wrapped, False
        nonce = self.nonces[signer]
        self.nonces[signer] += 1
        era = {"period": ERA_PERIOD, "current": max(block, 1)}
        real_key = pair is not None
        if pair is None:  # no secret: a placeholder signature keeps the bytes realistic
            pair = Keypair(ss58_address=signer, ss58_format=self.md.ss58_prefix)
            xt = self.sub.create_signed_extrinsic(call=call, keypair=pair, era=era, nonce=nonce, signature=bytes(64))
        else:
            xt = self.sub.sign(call, pair, nonce=nonce, era=era)
        self.report.seconds["sign"] += time.perf_counter() - t1
        return xt, signer, wrapped, real_key

    def check(self, xt: GenericExtrinsic, module: str, function: str, params: dict[str, Any], signer: str | None, wrapped: bool, real_key: bool, block: int) -> list[str]:
        """Decode ``xt`` back and list every way it differs from what was meant."""
        from runtime.calls import CALL_REGISTRY

        t0 = time.perf_counter()
        raw = bytes(xt.data.data)
        decoded = self.sub.decode_extrinsic(raw)
        value = decoded.value
        t1 = time.perf_counter()
        self.report.seconds["decode"] += t1 - t0
        problems = []
        d_module, d_function, d_params = chain_call_to_params(value["call"])
        if wrapped:
            if (d_module, d_function) != ("Sudo", "sudo"):
                problems.append(f"expected Sudo.sudo, decoded {d_module}.{d_function}")
                return problems
            inner = d_params["call"]
            d_module, d_function, d_params = inner["call_module"], inner["call_function"], inner["call_args"]
        if (d_module, d_function) != (module, function):
            problems.append(f"decoded {d_module}.{d_function}")
            return problems
        spec = CALL_REGISTRY[(module, function)]
        same, why = same_params(spec, params, d_params)
        if not same:
            problems.append(why)
        if signer is not None:
            if normalize_account(value["address"]) != signer:
                problems.append(f"signer {value['address']} != {signer}")
            if real_key and self.verify:
                try:
                    parts = signed_parts(raw, decoded)
                    verify_signature(parts, self.md, bytes.fromhex(self.genesis_hash[2:]), lambda n: bytes.fromhex(self._block_hash(n)[2:]), max(block, 1))
                except SignatureError as exc:
                    problems.append(f"signature: {exc}")
        self.report.seconds["verify"] += time.perf_counter() - t1
        return problems

    def encode_entry(self, data: dict[str, Any], line: int) -> EncodedCall:
        """Encode, decode and check one ``call`` entry of a log."""
        module, function = data["call_module"], data["call_function"]
        origin = data["origin"]
        block = data.get("block", 1)
        entry = EncodedCall(line, block, origin, module, function, "ok")
        if data.get("extension"):
            entry.status, entry.detail = "skipped", "simulator extension: the chain has no such call"
            self.report.calls.append(entry)
            return entry
        try:
            xt, signer, wrapped, real_key = self.build(origin, module, function, data["call_params"], block)
        except Exception as exc:  # noqa: BLE001 - any encoder failure is a finding about this call
            entry.status, entry.detail = "failed", f"encode: {type(exc).__name__}: {exc}"
            self.report.calls.append(entry)
            return entry
        entry.signer, entry.wrapped, entry.extrinsic = signer, wrapped, xt.data.to_hex()
        try:
            problems = self.check(xt, module, function, data["call_params"], signer, wrapped, real_key, block)
        except Exception as exc:  # noqa: BLE001
            problems = [f"decode: {type(exc).__name__}: {exc}"]
        if problems:
            entry.status, entry.detail = "failed", "; ".join(problems)
        else:
            notes = []
            if wrapped:
                notes.append(f"as Sudo.sudo by the sudo key ({origin})")
            if signer is not None and not real_key:
                notes.append("placeholder signature: no dev key for this account")
            if signer is None:
                notes.append("unsigned")
            entry.detail = "; ".join(notes)
        self.report.calls.append(entry)
        return entry


def encode_log(source: str | Path | IO[str] | Iterable[str], md: RuntimeMetadata, *, keyring: Keyring | None = None, verify: bool = True) -> EncodingReport:
    """Encode every call of a JSON-lines call log (see :mod:`runtime.calllog`)."""
    encoder: LogEncoder | None = None
    for entry in read_log(source):
        if entry.kind == "genesis":
            encoder = LogEncoder(md, entry.data.get("genesis", {}), keyring, verify=verify)
        elif entry.kind == "call":
            if encoder is None:
                raise CallLogError(f"line {entry.line}: the log must start with a genesis entry")
            encoder.encode_entry(entry.data, entry.line)
    if encoder is None:
        raise CallLogError("empty call log")
    return encoder.report


def encode_runtime(rt: Any, md: RuntimeMetadata, *, keyring: Keyring | None = None, verify: bool = True) -> EncodingReport:
    """Encode a runtime's call log (exported as JSON lines first, exactly as a file would be)."""
    buf = io.StringIO()
    rt.export_log(buf)
    return encode_log(buf.getvalue().splitlines(), md, keyring=keyring, verify=verify)
