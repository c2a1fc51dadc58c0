"""Replay a call log against a node and compare, call by call, with the simulator.

Why: the simulator claims to behave like the chain. A call log is a concrete claim: these calls, in
this order, at these blocks, give these outcomes and events. This module re-runs the log in a fresh
simulator (for its outcomes *and* events) and submits the same calls to a node with the dev keys,
then puts the two side by side. A divergence is a different outcome (success, or which error) or a
different list of events (bookkeeping the chain adds for every extrinsic, such as fees and
``System.ExtrinsicSuccess``, left out).

Blocks: when the node offers ``engine_createBlock`` (``tangle-sim node``, or a Substrate node with
manual sealing), each call is submitted in the node block that corresponds to its log block
(empty blocks are sealed to get there, and calls of one log block share a node block), so
time-dependent pallets (rounds, eras, delays) see the same clock. Otherwise each call is submitted
with ``wait_for_inclusion`` and lands wherever the node puts it (noted in the report).

Calls the chain cannot receive are skipped with a note and still run in the simulator: simulator
extensions, and calls from accounts whose key is unknown. Calls dispatched as root or by a
governance origin are sent as ``Sudo.sudo`` by the node's sudo key; their outcome is the inner
call's (from ``Sudo.Sudid``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable

from runtime.bridge.keyring import Keyring
from runtime.bridge.registry import BOUNDED_TYPES
from runtime.calllog import CallLogError, read_log
from runtime.genesis import GenesisConfig, UpgradeConfig
from runtime.origin import GOVERNANCE_ORIGINS

BOOKKEEPING = {("System", "ExtrinsicSuccess"), ("System", "ExtrinsicFailed"), ("TransactionPayment", "TransactionFeePaid")}
SUDO_ORIGINS = ("root", *GOVERNANCE_ORIGINS)
ERA_PERIOD = 64


@dataclass
class Outcome:
    """What one side did with a call: ``status`` is ``ok`` or the error name; ``events`` are qualified names."""

    status: str
    events: list[str] = field(default_factory=list)
    attributes: list[dict[str, Any]] = field(default_factory=list)
    block: int | None = None

    def summary(self) -> str:
        return f"{self.status} [{', '.join(self.events)}]" if self.events else self.status


@dataclass
class ReplayStep:
    line: int
    block: int
    origin: str
    call: str
    sim: Outcome
    node: Outcome | None
    note: str = ""

    @property
    def skipped(self) -> bool:
        return self.node is None

    @property
    def diverged(self) -> bool:
        return self.node is not None and (self.sim.status != self.node.status or self.sim.events != self.node.events)


@dataclass
class BridgeReplayResult:
    url: str
    steps: list[ReplayStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def divergences(self) -> list[ReplayStep]:
        return [s for s in self.steps if s.diverged]

    @property
    def ok(self) -> bool:
        return not self.divergences


# ------------------------------------------------------------------------------------------ events


def _amount(attrs: Any) -> int | None:
    if isinstance(attrs, dict):
        for key in ("amount", "value"):
            if isinstance(attrs.get(key), int):
                return attrs[key]
    return None


def meaningful_events(events: list[tuple[str, str, Any]], signer: str | None, fee: int, wrapped: bool) -> list[tuple[str, Any]]:
    """Drop what every extrinsic gets on chain: success/failure, fee payment and its balance moves
    (the payer's ``Withdraw`` of the fee and the ``Deposit``s that add up to it), and the
    ``Sudo.Sudid`` of a root call sent through sudo."""
    kept = [(f"{p}.{n}", a) for p, n, a in events if (p, n) not in BOOKKEEPING and not (wrapped and (p, n) == ("Sudo", "Sudid"))]
    if fee > 0:
        for i, (name, attrs) in enumerate(kept):
            if name == "Balances.Withdraw" and isinstance(attrs, dict) and attrs.get("who") == signer and _amount(attrs) == fee:
                del kept[i]
                break
        remaining = fee
        for i in range(len(kept) - 1, -1, -1):
            name, attrs = kept[i]
            amount = _amount(attrs)
            if name in ("Balances.Deposit", "Treasury.Deposit") and amount is not None and amount <= remaining:
                remaining -= amount
                del kept[i]
                if remaining == 0:
                    break
    return kept


# ------------------------------------------------------------------------------------------ simulator side


class SimSide:
    """Re-runs the log in a fresh runtime, one call at a time."""

    def __init__(self, genesis: dict[str, Any]) -> None:
        from runtime.runtime import Runtime

        self.rt = Runtime(GenesisConfig.model_validate(genesis))

    def upgrade(self, data: dict[str, Any]) -> None:
        self.rt.schedule_upgrade(UpgradeConfig.model_validate({k: v for k, v in data.items() if k != "kind"}))

    def contract(self, data: dict[str, Any], line: int) -> None:
        """A Python contract (service manager, ERC-20 token) deployed or minted between calls: the
        simulator needs it to follow the log; the node has its own EVM contracts at those addresses."""
        from runtime.calllog import apply_contract_entry

        self.rt.run_to_block(max(data["block"], self.rt.block_number))
        apply_contract_entry(self.rt, data, line)

    def run(self, data: dict[str, Any]) -> Outcome:
        rt = self.rt
        rt.run_to_block(data["block"])
        receipt = rt.dispatch(data["origin"], data["call_module"], data["call_function"], data["call_params"], raise_error=False)
        signer = data["origin"] if data["origin"] not in SUDO_ORIGINS + ("none",) else None
        from runtime.accounts import normalize_account

        signer = normalize_account(signer) if signer else None
        events = [(e.spec.pallet, e.spec.name, e.encoded_attributes()) for e in receipt.triggered_events if not getattr(e.spec, "extension", False)]
        kept = meaningful_events(events, signer, receipt.total_fee_amount, wrapped=False)
        return Outcome(receipt.error_name or "ok", [n for n, _ in kept], [a for _, a in kept], receipt.block_number)


# ------------------------------------------------------------------------------------------ node side


def dispatch_error_name(substrate: Any, error: Any) -> str:
    """A decoded ``DispatchError`` as the simulator names errors (``Pallet.Error``, ``BadOrigin``...)."""
    if isinstance(error, str):
        return error
    if isinstance(error, dict) and len(error) == 1:
        ((kind, value),) = error.items()
        if kind == "Module":
            index = value["index"] if isinstance(value, dict) else value[0]
            err = value["error"] if isinstance(value, dict) else value[1]
            err_index = int(err[2:4], 16) if isinstance(err, str) else int(err)
            pallet = substrate.metadata.get_pallet_by_index(index)
            return f"{pallet.name}.{substrate.metadata.get_module_error(index, err_index).name}"
        if isinstance(value, str):
            return f"{kind}.{value}"
        if value is None:
            return kind
    return str(error)


class MetadataCache:
    """substrate-interface's ``cache_region`` protocol (``get``/``set``), in memory: a chain's decoded
    metadata is reused by the next client in this process instead of being decoded again (~2 s)."""

    def __init__(self) -> None:
        self._store: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        return self._store.get(key)

    def set(self, key: str, value: Any) -> None:
        self._store[key] = value


_CACHES: dict[str, MetadataCache] = {}


class NodeSide:
    """Submits calls to a node with substrate-interface and reads back what happened."""

    def __init__(self, url: str, keyring: Keyring, *, align: bool | None = None) -> None:
        from substrateinterface import SubstrateInterface

        from runtime.bridge.rpc_client import rpc_call

        self.url = url
        genesis = rpc_call(url, "chain_getBlockHash", [0])  # one cache per chain: same genesis, same metadata per version
        cache = _CACHES.setdefault(str(genesis), MetadataCache())
        self.substrate = SubstrateInterface(url=url, type_registry=BOUNDED_TYPES, cache_region=cache)
        self.substrate.init_runtime()
        self.keyring = keyring
        methods = self.substrate.rpc_request("rpc_methods", []).get("result", {}).get("methods", [])
        can_seal = "engine_createBlock" in methods
        self.align = can_seal if align is None else (align and can_seal)
        self.nonces: dict[str, int] = {}
        self.offset: int | None = None
        try:
            sudo = self.substrate.query("Sudo", "Key")
        except Exception:  # noqa: BLE001 - a chain without Sudo: root calls are not sent
            sudo = None
        self.sudo: str | None = sudo.value if sudo is not None else None
        self.genesis_hash = self.substrate.get_block_hash(0)
        header = rpc_call(url, "chain_getHeader", [self.genesis_hash]) or {}
        self.genesis_state_root: str | None = header.get("stateRoot")
        from runtime.bridge.node.rpc import NODE_NAME

        try:
            self.is_simulator = rpc_call(url, "system_name") == NODE_NAME
        except Exception:  # noqa: BLE001 - a node without system_name is not this simulator's
            self.is_simulator = False

    # --- chain position
    def head_number(self) -> int:
        return self.substrate.get_block_number(self.substrate.get_chain_head())

    def seal(self) -> str:
        return self.substrate.rpc_request("engine_createBlock", [True, True, None])["result"]["hash"]

    def advance_to(self, log_block: int) -> None:
        """Seal empty blocks until the node's open block is the log block's counterpart."""
        open_block = self.head_number() + 1
        if self.offset is None:
            self.offset = max(0, open_block - log_block)
        target = log_block + self.offset
        while open_block < target:
            self.seal()
            open_block += 1

    # --- submission
    def signer_of(self, origin: str) -> tuple[str | None, bool]:
        if origin in SUDO_ORIGINS:
            return self.sudo, True
        if origin in ("none", "unsigned"):
            return None, False
        from runtime.accounts import normalize_account

        return normalize_account(origin), False

    def extrinsic(self, data: dict[str, Any]) -> tuple[Any, str | None, bool]:
        """Build the signed extrinsic for a log call (raises LookupError if no key can sign it)."""
        s = self.substrate
        signer, wrapped = self.signer_of(data["origin"])
        call = s.compose_call(data["call_module"], data["call_function"], data["call_params"])
        if wrapped:
            if signer is None:
                raise LookupError("the node has no sudo key")
            call = s.compose_call("Sudo", "sudo", {"call": call})
        if signer is None:
            return s.create_unsigned_extrinsic(call), None, wrapped
        pair = self.keyring.keypair(signer)
        if pair is None:
            raise LookupError(f"no key for {signer} (add its derivation URI with --key)")
        if signer not in self.nonces:
            self.nonces[signer] = s.get_account_nonce(signer)
        era = {"period": ERA_PERIOD, "current": self.head_number()}
        xt = s.create_signed_extrinsic(call=call, keypair=pair, era=era, nonce=self.nonces[signer])
        return xt, signer, wrapped

    def submitted(self, xt: Any, signer: str | None) -> None:
        if signer is not None:
            self.nonces[signer] += 1

    def outcome(self, receipt: Any, signer: str | None, wrapped: bool) -> Outcome:
        events = []
        fee = 0
        status = "ok"
        for ev in receipt.triggered_events:
            v = ev.value
            events.append((v["module_id"], v["event_id"], v["attributes"]))
            if (v["module_id"], v["event_id"]) == ("TransactionPayment", "TransactionFeePaid"):
                fee = v["attributes"]["actual_fee"]
            if (v["module_id"], v["event_id"]) == ("System", "ExtrinsicFailed"):
                status = dispatch_error_name(self.substrate, v["attributes"]["dispatch_error"])
            if wrapped and (v["module_id"], v["event_id"]) == ("Sudo", "Sudid"):
                result = v["attributes"]["sudo_result"]
                if isinstance(result, dict) and "Err" in result:
                    status = dispatch_error_name(self.substrate, result["Err"])
        kept = meaningful_events(events, signer, fee, wrapped)
        block = self.substrate.get_block_number(receipt.block_hash)
        return Outcome(status, [n for n, _ in kept], [a for _, a in kept], block)

    def close(self) -> None:
        self.substrate.close()


# ------------------------------------------------------------------------------------------ the replay


def genesis_note(node_root: str | None, log_root: str, node_is_simulator: bool) -> str | None:
    """What to say about the node's genesis against the log's. The simulator's own node has the
    log's genesis exactly when its block 0 state root is the log genesis's root (block hashes
    cannot tell: the simulator's are a function of the seed, the node's hash real headers). A real
    node's root is a trie root the simulator does not compute, so its genesis cannot be checked."""
    if not node_is_simulator:
        return ("a real node's genesis cannot be compared with the log's (its state root is a trie root, the simulator's a "
                "digest of the same storage): divergences may come from a different genesis")
    if node_root != log_root:
        return (f"the node's genesis state {str(node_root)[:18]}… is not the log's {log_root[:18]}…: state differs; start the node "
                "from this log's genesis with `tangle-sim node --genesis-log LOG --no-fees`")
    return None


def bridge_replay(
    source: str | Path | IO[str] | Iterable[str],
    url: str,
    *,
    keep_going: bool = False,
    keyring: Keyring | None = None,
    align: bool | None = None,
    on_step: Callable[[ReplayStep], None] | None = None,
) -> BridgeReplayResult:
    """Replay a call log in a fresh simulator and on the node at ``url``, call by call."""
    from substrateinterface.exceptions import SubstrateRequestException

    entries = list(read_log(source))
    if not entries or entries[0].kind != "genesis":
        raise CallLogError("the log must start with a genesis entry")
    result = BridgeReplayResult(url)
    sim = SimSide(entries[0].data.get("genesis", {}))
    node = NodeSide(url, keyring or Keyring(), align=align)
    try:
        note = genesis_note(node.genesis_state_root, sim.rt.state_root(), node.is_simulator)
        if note:
            result.notes.append(note)
        if not node.align:
            result.notes.append("the node seals its own blocks: calls are not aligned to the log's block numbers")
        calls = [e for e in entries[1:] if e.kind in ("call", "upgrade", "contract")]
        groups: list[list[Any]] = []
        for entry in calls:
            if entry.kind == "call" and groups and groups[-1][0].kind == "call" and groups[-1][0].data["block"] == entry.data["block"]:
                groups[-1].append(entry)
            else:
                groups.append([entry])
        for group in groups:
            if group[0].kind == "upgrade":
                sim.upgrade(group[0].data)
                result.notes.append(f"line {group[0].line}: runtime upgrade applied in the simulator only")
                continue
            if group[0].kind == "contract":
                sim.contract(group[0].data, group[0].line)
                what = group[0].data
                result.notes.append(f"line {group[0].line}: contract {what['action']} at {what['address']} applied in the simulator only "
                                    "(the node runs its own EVM contract there)")
                continue
            steps = _replay_group(group, sim, node, result, SubstrateRequestException)
            for step in steps:
                result.steps.append(step)
                if on_step is not None:
                    on_step(step)
            if not keep_going and any(s.diverged for s in steps):
                result.stopped_early = True
                # keep only up to the first divergence
                first = next(i for i, s in enumerate(result.steps) if s.diverged)
                del result.steps[first + 1 :]
                break
    finally:
        node.close()
    return result


def _replay_group(group: list[Any], sim: SimSide, node: NodeSide, result: BridgeReplayResult, request_error: type) -> list[ReplayStep]:
    """One log block: the simulator runs each call; the node gets them in one block (when aligned)."""
    steps: list[ReplayStep] = []
    pending: list[tuple[ReplayStep, Any, str | None, bool]] = []
    if node.align:
        node.advance_to(group[0].data["block"])
    for entry in group:
        data = entry.data
        step = ReplayStep(entry.line, data["block"], data["origin"], f"{data['call_module']}.{data['call_function']}", sim.run(data), None)
        steps.append(step)
        if data.get("extension"):
            step.note = "simulator extension: not sent to the node"
            continue
        try:
            xt, signer, wrapped = node.extrinsic(data)
        except LookupError as exc:
            step.note = f"not sent: {exc}"
            continue
        if wrapped:
            step.note = f"sent as Sudo.sudo by {node.sudo}"
        try:
            if node.align:
                node.substrate.rpc_request("author_submitExtrinsic", [str(xt.data)])
                node.submitted(xt, signer)
                pending.append((step, xt, signer, wrapped))
            else:
                receipt = node.substrate.submit_extrinsic(xt, wait_for_inclusion=True)
                node.submitted(xt, signer)
                step.node = node.outcome(receipt, signer, wrapped)
        except request_error as exc:
            error = exc.args[0] if exc.args else exc
            data_text = error.get("data") if isinstance(error, dict) else None
            message = error.get("message") if isinstance(error, dict) else str(error)
            step.node = Outcome(f"rejected: {message}" + (f" ({data_text})" if data_text else ""))
    if pending:
        _collect(pending, node)
    return steps


def _collect(pending: list[tuple[ReplayStep, Any, str | None, bool]], node: NodeSide) -> None:
    """Seal the block (if the node waits for it) and read each extrinsic's receipt from it."""
    from substrateinterface.base import ExtrinsicReceipt

    s = node.substrate
    if s.rpc_request("author_pendingExtrinsics", []).get("result"):
        node.seal()
    head = node.head_number()
    wanted = {"0x" + xt.extrinsic_hash.hex(): (step, signer, wrapped) for step, xt, signer, wrapped in pending}
    number = head
    while wanted and number >= 0:
        block_hash = s.get_block_hash(number)
        raw = s.rpc_request("chain_getBlock", [block_hash])["result"]["block"]["extrinsics"]
        import hashlib

        for xt_hex in raw:
            h = "0x" + hashlib.blake2b(bytes.fromhex(xt_hex[2:]), digest_size=32).hexdigest()
            if h in wanted:
                step, signer, wrapped = wanted.pop(h)
                receipt = ExtrinsicReceipt(substrate=s, extrinsic_hash=h, block_hash=block_hash)
                step.node = node.outcome(receipt, signer, wrapped)
        number -= 1
        if number < head - len(pending) - 1:
            break
    for step, _, _ in wanted.values():
        step.node = Outcome("not included")
