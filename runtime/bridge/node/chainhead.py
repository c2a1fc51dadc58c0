"""The new JSON-RPC spec's ``chainHead_v1_*`` group (paritytech/json-rpc-interface-spec).

Why: polkadot-api uses a node's own ``chainHead_v1`` methods when ``rpc_methods`` lists any of
them, and otherwise emulates them on legacy calls (slower, and a second implementation of the
chain's rules to disagree with). A follow subscription is a per-client view of the chain: the
finalized block, every block above it (``newBlock``, pinned until the client unpins it), the best
block, and finality with the blocks it prunes. Operations (``body``, ``call``, ``storage``) answer
through notifications of that subscription, after the response that names their operation id.

Limits are the spec's: a follow whose pinned blocks exceed ``max_pinned`` or whose pinned block
left the node's history window gets a ``stop`` event (the client re-follows); at most
``max_operations`` operations are in progress per follow (``limitReached`` / ``discardedItems``
beyond); at most ``MAX_FOLLOWS`` follows per connection (``-32800``).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from runtime.bridge.node.chain import Block, HistoryError
from runtime.bridge.node.rpc import RpcError, Session, _block_hash_param, _hex_bytes, _param, invalid_params, notification
from runtime.bridge.node.runtime_api import ApiError
from runtime.bridge.node.storage import StorageEncodeError

if TYPE_CHECKING:
    from runtime.bridge.node.rpc import RpcHandler

EVENT = "chainHead_v1_followEvent"
MAX_FOLLOWS = 2  # per connection; the spec requires servers to allow at least 2
MAX_OPERATIONS = 16  # per follow; the spec's minimum (each storage item counts as one)
MAX_PINNED = 512  # per follow
STORAGE_PAGE = 256  # descendants items per operationStorageItems before operationWaitingForContinue
STORAGE_TYPES = ("value", "hash", "closestDescendantMerkleValue", "descendantsValues", "descendantsHashes")


def runtime_spec(version: dict[str, Any]) -> dict[str, Any]:
    """A runtime as ``chainHead_v1`` reports it: the legacy version with ``apis`` as an object."""
    return {
        "type": "valid",
        "spec": {
            "specName": version["specName"],
            "implName": version["implName"],
            "specVersion": version["specVersion"],
            "implVersion": version["implVersion"],
            "transactionVersion": version["transactionVersion"],
            "apis": {api_id: v for api_id, v in version["apis"]},
        },
    }


@dataclass
class StorageOp:
    """A storage operation with items still to report (descendants queries page through the keys)."""

    block_hash: str
    queries: list[tuple[bytes, str]]  # (key, type) still to answer, in order
    cursor: bytes | None = None  # last descendant key reported for queries[0]
    waiting: bool = False


@dataclass
class Follow:
    sub_id: str
    with_runtime: bool
    pinned: set[str] = field(default_factory=set)
    unfinalized: dict[str, Block] = field(default_factory=dict)  # reported by newBlock, not finalized yet
    finalized_number: int = 0
    ops: dict[str, StorageOp] = field(default_factory=dict)
    op_ids: Any = field(default_factory=lambda: itertools.count(1))

    def new_op(self) -> str:
        return str(next(self.op_ids))


class ChainHeadApi:
    """``chainHead_v1_*`` for an :class:`RpcHandler`; ``methods`` are merged into the handler's table."""

    def __init__(self, handler: "RpcHandler") -> None:
        self.handler = handler
        self.chain = handler.chain
        self.max_pinned = MAX_PINNED
        self.max_operations = MAX_OPERATIONS
        self.storage_page = STORAGE_PAGE
        self.chain.listeners.append(lambda block, subs: self._on_block(block))
        self.chain.finality_listeners.append(self._on_finalized)
        self.chain.head_listeners.append(self._on_head_moved)
        self.methods: dict[str, Callable[[Session, list[Any]], Any]] = {
            "chainHead_v1_follow": self.follow,
            "chainHead_v1_unfollow": self.unfollow,
            "chainHead_v1_header": self.header,
            "chainHead_v1_body": self.body,
            "chainHead_v1_call": self.call,
            "chainHead_v1_storage": self.storage,
            "chainHead_v1_continue": self.continue_,
            "chainHead_v1_stopOperation": self.stop_operation,
            "chainHead_v1_unpin": self.unpin,
        }

    # --- follow
    def follow(self, s: Session, p: list[Any]) -> str:
        with_runtime = _param(p, 0)
        if not isinstance(with_runtime, bool):
            raise invalid_params("withRuntime must be a boolean")
        self.handler._need_socket(s)
        if len(s.follows) >= MAX_FOLLOWS:
            raise RpcError(-32800, "Maximum number of chainHead_v1_follow has been reached", MAX_FOLLOWS)
        sub_id = s.new_id()
        fin = self.chain.finalized
        f = Follow(sub_id, with_runtime, pinned={fin.hash}, finalized_number=fin.number)
        s.follows[sub_id] = f
        init: dict[str, Any] = {"event": "initialized", "finalizedBlockHashes": [fin.hash]}
        if with_runtime:
            init["finalizedBlockRuntime"] = self._runtime_of(fin)
        msgs = [notification(EVENT, sub_id, init)]
        for block in self.chain.blocks[fin.number + 1 :]:
            msgs.append(self._new_block(f, block))
        msgs.append(notification(EVENT, sub_id, {"event": "bestBlockChanged", "bestBlockHash": self.chain.head.hash}))
        s.send(msgs)
        return sub_id

    def unfollow(self, s: Session, p: list[Any]) -> None:
        sub_id = _param(p, 0)
        if not isinstance(sub_id, str):
            raise invalid_params("followSubscription must be a string")
        s.follows.pop(sub_id, None)
        return None

    def _runtime_of(self, block: Block) -> dict[str, Any]:
        version = self.chain.runtime_version()
        version["specVersion"] = block.spec_version
        return runtime_spec(version)

    def _new_block(self, f: Follow, block: Block) -> dict[str, Any]:
        f.pinned.add(block.hash)
        f.unfinalized[block.hash] = block
        event: dict[str, Any] = {"event": "newBlock", "blockHash": block.hash, "parentBlockHash": block.parent_hash}
        if f.with_runtime:
            parent = self.chain.block(block.parent_hash)
            event["newRuntime"] = self._runtime_of(block) if parent is not None and parent.spec_version != block.spec_version else None
        return notification(EVENT, f.sub_id, event)

    def _stop(self, s: Session, f: Follow) -> dict[str, Any]:
        s.follows.pop(f.sub_id, None)
        return notification(EVENT, f.sub_id, {"event": "stop"})

    def _over_limits(self, f: Follow) -> bool:
        """Too many pinned blocks, or a pinned block whose state the node no longer keeps."""
        return len(f.pinned) > self.max_pinned or any(not self.chain.has_state(h) for h in f.pinned)

    # --- chain listeners
    def _on_block(self, block: Block) -> None:
        for s in list(self.handler.sessions):
            msgs = []
            for f in list(s.follows.values()):
                if block.hash not in f.unfinalized and block.hash not in f.pinned:  # a rebuilt identical block is reported once
                    msgs.append(self._new_block(f, block))
                if self._over_limits(f):
                    msgs.append(self._stop(s, f))
                    continue
                msgs.append(notification(EVENT, f.sub_id, {"event": "bestBlockChanged", "bestBlockHash": block.hash}))
            s.send(msgs)

    def _on_finalized(self, blocks: list[Block]) -> None:
        if not blocks:
            return
        last = blocks[-1]
        for s in list(self.handler.sessions):
            msgs = []
            for f in list(s.follows.values()):
                finalized = [b.hash for b in blocks if b.hash in f.unfinalized]
                for h in finalized:
                    del f.unfinalized[h]
                pruned = [h for h, b in f.unfinalized.items() if not self._descends(b, last)]
                for h in pruned:
                    del f.unfinalized[h]
                f.finalized_number = last.number
                if finalized or pruned:
                    msgs.append(notification(EVENT, f.sub_id, {"event": "finalized", "finalizedBlockHashes": finalized, "prunedBlockHashes": pruned}))
            s.send(msgs)

    def _descends(self, block: Block, ancestor: Block) -> bool:
        b: Block | None = block
        while b is not None and b.number > ancestor.number:
            b = self.chain.block(b.parent_hash)
        return b is not None and b.hash == ancestor.hash

    def _on_head_moved(self, block: Block) -> None:
        """dev_setHead: a head above the follow's finalized block is a new best block; below it,
        finality went back, which a follow cannot express: it stops and the client re-follows."""
        for s in list(self.handler.sessions):
            msgs = []
            for f in list(s.follows.values()):
                if block.number < f.finalized_number or (block.number == f.finalized_number and block.hash not in f.pinned and block.hash not in f.unfinalized):
                    msgs.append(self._stop(s, f))
                else:
                    msgs.append(notification(EVENT, f.sub_id, {"event": "bestBlockChanged", "bestBlockHash": block.hash}))
            s.send(msgs)

    # --- operations
    def _follow(self, s: Session, p: list[Any]) -> Follow | None:
        sub_id = _param(p, 0)
        if not isinstance(sub_id, str):
            raise invalid_params("followSubscription must be a string")
        return s.follows.get(sub_id)

    def _pinned(self, f: Follow, value: Any) -> Block:
        block_hash = _block_hash_param(value, "hash")
        if block_hash is None:
            raise invalid_params("hash must be a 0x-prefixed 32-byte hex string")
        block = self.chain.block(block_hash)
        if block_hash not in f.pinned or block is None:
            raise RpcError(-32801, "Invalid block hash", f"{block_hash} was not reported by this follow subscription or was unpinned")
        return block

    def _slots(self, f: Follow) -> int:
        return self.max_operations - sum(len(op.queries) for op in f.ops.values())

    def _event(self, f: Follow, event: str, op_id: str, **fields: Any) -> dict[str, Any]:
        return notification(EVENT, f.sub_id, {"event": event, "operationId": op_id, **fields})

    def header(self, s: Session, p: list[Any]) -> str | None:
        f = self._follow(s, p)
        if f is None:
            return None
        return "0x" + self._pinned(f, _param(p, 1)).header.encode().hex()

    def body(self, s: Session, p: list[Any]) -> dict[str, Any]:
        f = self._follow(s, p)
        if f is None or self._slots(f) < 1:
            return {"result": "limitReached"}
        block = self._pinned(f, _param(p, 1))
        op_id = f.new_op()
        s.send([self._event(f, "operationBodyDone", op_id, value=["0x" + x.hex() for x in block.extrinsics])])
        return {"result": "started", "operationId": op_id}

    def call(self, s: Session, p: list[Any]) -> dict[str, Any]:
        f = self._follow(s, p)
        if f is None or self._slots(f) < 1:
            return {"result": "limitReached"}
        block = self._pinned(f, _param(p, 1))
        function = _param(p, 2)
        if not isinstance(function, str) or not function or len(function) > 256:
            raise invalid_params("function must be a runtime API function name")
        raw = _param(p, 3, "0x")
        data = b"" if raw in ("", "0x") else _hex_bytes(raw, "callParameters")
        if not f.with_runtime:
            raise RpcError(-32802, "chainHead_v1_call needs a follow subscription started with withRuntime true")
        op_id = f.new_op()
        try:
            output = self.chain.at(block.hash, lambda: self.handler.api.call(function, data))
            event = self._event(f, "operationCallDone", op_id, output="0x" + output.hex())
        except ApiError as exc:
            event = self._event(f, "operationError", op_id, error=str(exc))
        except HistoryError:
            event = self._event(f, "operationInaccessible", op_id)
        s.send([event])
        return {"result": "started", "operationId": op_id}

    def storage(self, s: Session, p: list[Any]) -> dict[str, Any]:
        f = self._follow(s, p)
        if f is None:
            return {"result": "limitReached"}
        block = self._pinned(f, _param(p, 1))
        items = _param(p, 2)
        if not isinstance(items, list):
            raise invalid_params("items must be a list of {key, type} objects")
        queries = []
        for i, item in enumerate(items[: self.max_operations + 1]):
            if not isinstance(item, dict):
                raise invalid_params(f"items[{i}] must be an object {{key, type}}")
            kind = item.get("type")
            if kind not in STORAGE_TYPES:
                raise invalid_params(f"items[{i}].type must be one of {', '.join(STORAGE_TYPES)}")
            queries.append((_hex_bytes(item.get("key"), f"items[{i}].key", 4096), kind))
        child = _param(p, 3)
        if child is not None:
            _hex_bytes(child, "childTrie", 4096)
            queries = []  # the simulator's state has no child tries: nothing under any key
        slots = self._slots(f)
        if items and slots < 1:
            return {"result": "limitReached"}
        accepted = queries[: max(slots, 0)]
        discarded = len(items) - len(accepted) if child is None else 0
        op_id = f.new_op()
        op = StorageOp(block.hash, accepted)
        f.ops[op_id] = op
        s.send(self._run_storage(f, op_id, op))
        return {"result": "started", "operationId": op_id, "discardedItems": discarded}

    def _run_storage(self, f: Follow, op_id: str, op: StorageOp) -> list[dict[str, Any]]:
        """Answer queries until one page of descendants is out (then wait for continue) or all are done."""
        try:
            found, more = self.chain.at(op.block_hash, lambda: self._read(op))
        except HistoryError:
            f.ops.pop(op_id, None)
            return [self._event(f, "operationInaccessible", op_id)]
        except StorageEncodeError as exc:
            f.ops.pop(op_id, None)
            return [self._event(f, "operationError", op_id, error=str(exc))]
        out = [self._event(f, "operationStorageItems", op_id, items=found)] if found else []
        if more:
            op.waiting = True
            out.append(self._event(f, "operationWaitingForContinue", op_id))
        else:
            f.ops.pop(op_id, None)
            out.append(self._event(f, "operationStorageDone", op_id))
        return out

    def _read(self, op: StorageOp) -> tuple[list[dict[str, Any]], bool]:
        state, at = self.chain.state, op.block_hash
        found: list[dict[str, Any]] = []
        while op.queries:
            key, kind = op.queries[0]
            if kind in ("value", "hash"):
                value = state.get(key, at)
                if value is not None:
                    found.append({"key": "0x" + key.hex(), kind: "0x" + (value if kind == "value" else _blake2(value)).hex()})
            elif kind == "closestDescendantMerkleValue":
                merkle = self._descendants_digest(key, at)
                if merkle is not None:
                    found.append({"key": "0x" + key.hex(), kind: "0x" + merkle.hex()})
            else:
                if op.cursor is None and (value := state.get(key, at)) is not None:
                    found.append(_item(key, value, kind))
                keys = state.keys_paged(key, self.storage_page + 1, op.cursor)
                for k in keys[: self.storage_page]:
                    value = state.get(k, at)
                    if value is not None and k != key:
                        found.append(_item(k, value, kind))
                if len(keys) > self.storage_page:
                    op.cursor = keys[self.storage_page - 1]
                    return found, True
                op.cursor = None
            op.queries.pop(0)
        return found, False

    def _descendants_digest(self, key: bytes, at: str) -> bytes | None:
        """Stands in for the trie Merkle value of ``key``'s closest descendant: blake2-256 over every
        (key, value) at or under ``key``, so it changes exactly when something under ``key`` changes
        (what clients compare it for); not the trie node's hash (the simulator keeps no trie)."""
        state = self.chain.state
        h = hashlib.blake2b(digest_size=32)
        seen = False
        value = state.get(key, at)
        if value is not None:
            h.update(key + b"\x00" + value)
            seen = True
        cursor = None
        while True:
            keys = state.keys_paged(key, 1000, cursor)
            for k in keys:
                v = state.get(k, at)
                if v is not None and k != key:
                    h.update(len(k).to_bytes(4, "little") + k + len(v).to_bytes(4, "little") + v)
                    seen = True
            if len(keys) < 1000:
                break
            cursor = keys[-1]
        return h.digest() if seen else None

    def continue_(self, s: Session, p: list[Any]) -> None:
        f = self._follow(s, p)
        op_id = _param(p, 1)
        if not isinstance(op_id, str):
            raise invalid_params("operationId must be a string")
        if f is None:
            return None
        op = f.ops.get(op_id)
        if op is None or not op.waiting:
            raise RpcError(-32803, "Operation is not waiting for continue", op_id[:100])
        op.waiting = False
        s.send(self._run_storage(f, op_id, op))
        return None

    def stop_operation(self, s: Session, p: list[Any]) -> None:
        f = self._follow(s, p)
        op_id = _param(p, 1)
        if not isinstance(op_id, str):
            raise invalid_params("operationId must be a string")
        if f is not None:
            f.ops.pop(op_id, None)
        return None

    def unpin(self, s: Session, p: list[Any]) -> None:
        f = self._follow(s, p)
        raw = _param(p, 1)
        hashes = raw if isinstance(raw, list) else [raw]
        if len(hashes) > self.max_pinned + 1:
            raise invalid_params(f"at most {self.max_pinned} hashes")
        parsed = [_block_hash_param(h, f"hashes[{i}]") for i, h in enumerate(hashes)]
        if any(h is None for h in parsed):
            raise invalid_params("hash must be a 0x-prefixed 32-byte hex string or a list of them")
        if f is None:
            return None
        if len(set(parsed)) != len(parsed):
            raise RpcError(-32804, "Duplicate hashes", "the same block hash appears twice; nothing was unpinned")
        for h in parsed:
            if h not in f.pinned:
                raise RpcError(-32801, "Invalid block hash", f"{h} is not pinned by this follow subscription; nothing was unpinned")
        f.pinned.difference_update(parsed)  # type: ignore[arg-type]
        return None


def _blake2(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def _item(key: bytes, value: bytes, kind: str) -> dict[str, Any]:
    if kind == "descendantsValues":
        return {"key": "0x" + key.hex(), "value": "0x" + value.hex()}
    return {"key": "0x" + key.hex(), "hash": "0x" + _blake2(value).hex()}
