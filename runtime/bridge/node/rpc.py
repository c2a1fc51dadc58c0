"""JSON-RPC methods of the node, independent of the transport.

Why separate from the server: the method table is the node's contract with clients (names,
parameter shapes and result shapes as a Substrate node has them, ``shared/spec/node.md`` §2-§6) and
is tested without sockets. Subscriptions push notifications through the :class:`Session` of the
connection that asked, so one transport-neutral callback is all a server needs to provide; a
subscription's response is always sent before its first notification.

Bad input never escapes as an exception: every request gets a JSON-RPC error with the standard
code (-32700 parse, -32600 invalid request, -32601 ``Method not found`` exactly, -32602 invalid
params naming the parameter, -32603 internal) or the author error codes of Substrate's pool.
"""

from __future__ import annotations

import hashlib
import itertools
import time
import logging
from typing import Any, Callable

from runtime.bridge.node.chain import Block, HistoryError, OpaqueDecodeError, PoolError, SimChain, Submission, opaque_decode_error
from runtime.bridge.node.runtime_api import ApiError, RuntimeApi
from runtime.bridge.node.storage import StorageEncodeError

SYSTEM_CHAIN = "Tangle Testnet (tangle-sim)"
NODE_NAME = "tangle-sim"
MAX_BLOCK_NUMBER = 2**32 - 1  # BlockNumber is u32: a larger number is refused, as the real node does
MAX_KEYS_PAGED = 1000  # Substrate's STORAGE_KEYS_PAGED_MAX_COUNT
MAX_QUERY_KEYS = 1000  # dev_newBlock transactions, chain_getBlockHash numbers (tangle-sim's own bounds)
MAX_SUBSCRIPTIONS = 1024  # per connection
FINALITY_HOLD = 10.0  # at most this long a Finalized status waits for an events-reading client's read
AFTER_EVENTS_READ = 0.5  # a Finalized status goes out no sooner than this long after that read
log = logging.getLogger("tangle_sim.node")


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        self.code = code
        self.message = message
        self.data = data
        super().__init__(message)

    def to_json(self) -> dict[str, Any]:
        out = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def invalid_params(what: str) -> RpcError:
    return RpcError(-32602, f"Invalid params: {what}")


class Session:
    """One client connection: its subscriptions and how to push a notification to it."""

    _ids = itertools.count(1)

    def __init__(self, push: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.push = push  # None over HTTP: no subscriptions
        self.watches: dict[str, str] = {}  # extrinsic hash -> subscription id (until included)
        self.in_block: dict[str, list[str]] = {}  # block hash -> subscription ids waiting for finality
        self.heads: dict[str, str] = {}  # subscription id -> "new" | "finalized" | "all"
        self.storage: dict[str, tuple[list[str], dict[str, str | None]]] = {}  # sub id -> (keys as sent, last values)
        self.versions: set[str] = set()  # runtime version subscriptions
        self.events_read: dict[str, float] = {}  # blocks whose System.Events this client has read -> when (monotonic)
        self.reads_events = False  # has read System.Events of a block holding a transaction it watches (polkadot.js does)
        self.held_final: dict[str, list[dict[str, Any]]] = {}  # block hash -> Finalized statuses held back
        self.pending_out: list[dict[str, Any]] | None = None  # notifications held until the current response is sent
        self.follows: dict[str, Any] = {}  # chainHead_v1_follow subscription id -> chainhead.Follow
        self.tx_watches: dict[str, Any] = {}  # transactionWatch_v1 subscription id -> transactions_v1.TxWatch
        self.broadcasts: set[str] = set()  # transaction_v1_broadcast operation ids not stopped yet

    def new_id(self) -> str:
        return f"0x{next(self._ids):016x}"

    def subscription_count(self) -> int:
        return len(self.watches) + sum(len(v) for v in self.in_block.values()) + len(self.heads) + len(self.storage) + len(self.versions) + len(self.follows) + len(self.tx_watches)

    def send(self, messages: list[dict[str, Any]]) -> None:
        if not messages:
            return
        if self.pending_out is not None:
            self.pending_out.extend(messages)
        elif self.push is not None:
            for m in messages:
                self.push(m)


def notification(method: str, sub_id: str, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": {"subscription": sub_id, "result": result}}


def _hex_bytes(value: Any, what: str, limit: int = 16 * 1024 * 1024) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise invalid_params(f"{what} must be 0x-prefixed hex")
    if len(value) > 2 * limit + 2:
        raise invalid_params(f"{what} is longer than {limit} bytes")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise invalid_params(f"{what} is not valid hex") from None


def _block_number(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise invalid_params("block number must be a number or hex string")
    if isinstance(value, int):
        if value < 0:
            raise invalid_params(f"block number {value} is negative")
        if value > MAX_BLOCK_NUMBER:
            raise invalid_params(f"block number {value} > u32::MAX, the largest a Tangle block number can be")
        return value
    if isinstance(value, str) and len(value) <= 66:
        try:
            n = int(value, 16) if value.startswith("0x") else int(value)
        except ValueError:
            raise invalid_params(f"block number {value!r}") from None
        if n < 0:
            raise invalid_params(f"block number {value!r} is negative")
        if n > MAX_BLOCK_NUMBER:
            raise invalid_params(f"block number {value!r} > u32::MAX, the largest a Tangle block number can be")
        return n
    raise invalid_params(f"block number must be a number or hex string, got {type(value).__name__}")


def _param(p: list[Any], i: int, default: Any = None) -> Any:
    return p[i] if len(p) > i else default


def _block_hash_param(value: Any, what: str = "block hash") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise invalid_params(f"{what} must be a 0x-prefixed 32-byte hex string")
    try:
        bytes.fromhex(value[2:])
    except ValueError:
        raise invalid_params(f"{what} is not valid hex") from None
    return value.lower()


class RpcHandler:
    """Maps method names to the chain. ``respond`` takes a decoded request, returns the messages to send."""

    def __init__(self, chain: SimChain) -> None:
        self.chain = chain
        self.api = RuntimeApi(chain)
        self.sessions: list[Session] = []
        self.log_level = 3
        chain.listeners.append(self._on_block)
        chain.finality_listeners.append(self._on_finalized)
        chain.head_listeners.append(self._on_head_moved)
        chain.invalid_listeners.append(self._on_invalid)
        head = lambda s, p: self._subscribe_heads(s, "new")  # noqa: E731
        unsub_heads = self._unsubscribe_heads
        self.methods: dict[str, Callable[[Session, list[Any]], Any]] = {
            "rpc_methods": lambda s, p: {"methods": sorted(self.methods), "version": 1},
            "system_chain": lambda s, p: SYSTEM_CHAIN,
            "system_name": lambda s, p: NODE_NAME,
            "system_version": lambda s, p: "0.2.0-tangle-sim",
            "system_chainType": lambda s, p: "Development",
            "system_properties": lambda s, p: self._properties(),
            "system_health": lambda s, p: {"peers": 0, "isSyncing": False, "shouldHavePeers": False},
            "system_localPeerId": lambda s, p: "12D3KooWTangleSimNode",
            "system_peers": lambda s, p: [],
            "system_nodeRoles": lambda s, p: ["Full"],
            "system_localListenAddresses": lambda s, p: [],
            "system_syncState": lambda s, p: {"startingBlock": 0, "currentBlock": self.chain.head.number, "highestBlock": self.chain.head.number},
            "system_accountNextIndex": self._account_next_index,
            "account_nextIndex": self._account_next_index,
            "system_dryRun": self._dry_run,
            "system_dryRunAt": self._dry_run,
            "chain_getBlockHash": self._get_block_hash,
            "chain_getHead": self._get_block_hash,
            "chain_getFinalizedHead": lambda s, p: self.chain.finalized.hash,
            "chain_getFinalisedHead": lambda s, p: self.chain.finalized.hash,
            "chain_getHeader": self._get_header,
            "chain_getBlock": self._get_block,
            "chain_getRuntimeVersion": self._runtime_version,
            "chain_subscribeNewHeads": head,
            "chain_subscribeNewHead": head,
            "subscribe_newHead": head,
            "chain_unsubscribeNewHeads": unsub_heads,
            "chain_unsubscribeNewHead": unsub_heads,
            "unsubscribe_newHead": unsub_heads,
            "chain_subscribeFinalizedHeads": lambda s, p: self._subscribe_heads(s, "finalized"),
            "chain_subscribeFinalisedHeads": lambda s, p: self._subscribe_heads(s, "finalized"),
            "chain_unsubscribeFinalizedHeads": unsub_heads,
            "chain_unsubscribeFinalisedHeads": unsub_heads,
            "chain_subscribeAllHeads": lambda s, p: self._subscribe_heads(s, "all"),
            "chain_unsubscribeAllHeads": unsub_heads,
            "chain_subscribeRuntimeVersion": self._subscribe_version,
            "chain_unsubscribeRuntimeVersion": self._unsubscribe_version,
            "state_subscribeRuntimeVersion": self._subscribe_version,
            "state_unsubscribeRuntimeVersion": self._unsubscribe_version,
            "state_getMetadata": self._metadata,
            "state_getRuntimeVersion": self._runtime_version,
            "state_getStorage": self._get_storage,
            "state_getReadProof": self._read_proof,
            "state_getStorageAt": self._get_storage,
            "state_getStorageHash": self._get_storage_hash,
            "state_getStorageHashAt": self._get_storage_hash,
            "state_getStorageSize": self._get_storage_size,
            "state_getStorageSizeAt": self._get_storage_size,
            "state_getKeysPaged": self._get_keys_paged,
            "state_getKeysPagedAt": self._get_keys_paged,
            "state_queryStorageAt": self._query_storage_at,
            "state_subscribeStorage": self._subscribe_storage,
            "state_unsubscribeStorage": self._unsubscribe_storage,
            "state_call": self._state_call,
            "state_callAt": self._state_call,
            "payment_queryInfo": self._payment_query_info,
            "payment_queryFeeDetails": self._payment_fee_details,
            "author_submitExtrinsic": self._submit,
            "author_submitAndWatchExtrinsic": self._submit_and_watch,
            "author_unwatchExtrinsic": self._unwatch,
            "author_pendingExtrinsics": lambda s, p: ["0x" + x.hex() for x in self.chain.pending()],
            "engine_createBlock": self._create_block,
            "engine_finalizeBlock": self._finalize_block,
            "dev_newBlock": self._dev_new_block,
            "dev_setHead": self._dev_set_head,
            "dev_setStorage": self._dev_set_storage,
            "dev_timeTravel": self._dev_time_travel,
            "dev_setBlockBuildMode": self._dev_set_build_mode,
            "dev_setRuntimeLogLevel": self._dev_set_log_level,
            "chainSpec_v1_chainName": lambda s, p: SYSTEM_CHAIN,
            "chainSpec_v1_genesisHash": lambda s, p: self.chain.genesis_hash,
            "chainSpec_v1_properties": lambda s, p: self._properties(),
        }
        # the new JSON-RPC spec's groups (imported here: they build on this module's helpers)
        from runtime.bridge.node.chainhead import ChainHeadApi
        from runtime.bridge.node.transactions_v1 import TransactionApi

        self.chainhead = ChainHeadApi(self)
        self.transactions = TransactionApi(self)
        self.methods.update(self.chainhead.methods)
        self.methods.update(self.transactions.methods)

    # --- entry point
    def handle(self, session: Session, request: Any) -> dict[str, Any] | None:
        """One JSON-RPC request object -> its response object (None for a notification without id)."""
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Invalid Request"}}
        req_id = request.get("id")
        if not (req_id is None or isinstance(req_id, (str, int)) and not isinstance(req_id, bool)):
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Invalid Request", "data": "id must be a string, a number or null"}}
        name = request["method"]
        method = self.methods.get(name)
        params = request.get("params", [])
        try:
            if method is None:
                raise RpcError(-32601, "Method not found", name[:200])
            if params is None:
                params = []
            elif isinstance(params, dict):
                # jsonrpsee matches object params by the Rust parameter names; tangle-sim does not
                # know them, and reading the values by position would answer another question
                if params:
                    raise invalid_params(f"named (object) params are not supported by tangle-sim (got {sorted(map(str, params))[:5]}); pass them as an array in the method's order")
                params = []
            elif not isinstance(params, list):
                raise invalid_params(f"params must be an array or an object, got {type(params).__name__}")
            with self.chain.lock:
                response: dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "result": method(session, params)}
        except (RpcError, PoolError) as exc:
            response = {"jsonrpc": "2.0", "id": req_id, "error": exc.to_json()}
        except HistoryError as exc:
            response = {"jsonrpc": "2.0", "id": req_id, "error": {"code": 4003, "message": "Client error", "data": str(exc)}}
        except ApiError as exc:
            response = {"jsonrpc": "2.0", "id": req_id, "error": {"code": 4003, "message": f"Client error: Execution failed: {exc}"}}
        except StorageEncodeError as exc:
            response = {"jsonrpc": "2.0", "id": req_id, "error": {"code": -32603, "message": "Internal error", "data": str(exc)}}
        except RecursionError:
            response = {"jsonrpc": "2.0", "id": req_id, "error": {"code": -32602, "message": "Invalid params: nested too deeply"}}
        except Exception as exc:  # noqa: BLE001 - a bug must not take the connection down; it is logged
            log.exception("internal error in %s", name)
            response = {"jsonrpc": "2.0", "id": req_id, "error": {"code": -32603, "message": "Internal error", "data": f"{type(exc).__name__}: {exc}"}}
        return response

    def respond(self, session: Session, request: Any) -> list[dict[str, Any]]:
        """The response and the notifications that must follow it, in sending order."""
        session.pending_out = []
        try:
            out = self.handle(session, request)
        finally:
            then, session.pending_out = session.pending_out, None
        is_notification = isinstance(request, dict) and "id" not in request and out is not None and "result" in out
        messages = [] if (out is None or is_notification) else [out]
        return messages + (then or [])

    # --- system / chain
    def _properties(self) -> dict[str, Any]:
        return {"ss58Format": self.chain.md.ss58_prefix, "tokenDecimals": 18, "tokenSymbol": "tTNT"}

    def _account_next_index(self, s: Session, p: list[Any]) -> int:
        from runtime.accounts import normalize_account

        if not p:
            raise invalid_params("account")
        try:
            return self.chain.nonce(normalize_account(p[0]))
        except (ValueError, TypeError) as exc:
            raise invalid_params(f"account: {exc}") from None

    def _get_block_hash(self, s: Session, p: list[Any]) -> Any:
        value = _param(p, 0)
        if value is None:
            return self.chain.head.hash
        if isinstance(value, list):
            if len(value) > MAX_QUERY_KEYS:
                raise invalid_params(f"at most {MAX_QUERY_KEYS} block numbers")
            return [self._hash_of(v) for v in value]
        return self._hash_of(value)

    def _hash_of(self, value: Any) -> str | None:
        block = self.chain.block(_block_number(value))
        return block.hash if block else None

    def _find(self, p: list[Any]) -> Block | None:
        ref = _block_hash_param(_param(p, 0))
        return self.chain.block(ref)

    def _get_header(self, s: Session, p: list[Any]) -> Any:
        block = self._find(p)
        return block.header_json() if block else None

    def _get_block(self, s: Session, p: list[Any]) -> Any:
        block = self._find(p)
        return block.to_json() if block else None

    def _runtime_version(self, s: Session, p: list[Any]) -> dict[str, Any]:
        at = _block_hash_param(_param(p, 0))
        block = self.chain.block(at) if at else self.chain.head
        if block is None:
            raise HistoryError(f"Unknown block {at}")
        version = self.chain.runtime_version()
        version["specVersion"] = block.spec_version if at else self.chain.rt.spec_version
        return version

    def _metadata(self, s: Session, p: list[Any]) -> str:
        at = _block_hash_param(_param(p, 0))
        if at is not None and self.chain.block(at) is None:
            raise HistoryError(f"Unknown block {at}")
        return "0x" + self.chain.md.v14_bytes().hex()

    # --- subscriptions (heads, runtime version, storage)
    def _need_socket(self, s: Session) -> None:
        if s.push is None:
            raise RpcError(-32601, "Method not found", "subscriptions need a websocket connection")
        if s.subscription_count() >= MAX_SUBSCRIPTIONS:
            raise RpcError(-32000, "Too many subscriptions on this connection", MAX_SUBSCRIPTIONS)
        self._register(s)

    def _subscribe_heads(self, s: Session, kind: str) -> str:
        self._need_socket(s)
        sub_id = s.new_id()
        s.heads[sub_id] = kind
        block = self.chain.finalized if kind == "finalized" else self.chain.head
        s.send([notification(self._head_method(kind), sub_id, block.header_json())])
        return sub_id

    @staticmethod
    def _head_method(kind: str) -> str:
        return {"new": "chain_newHead", "finalized": "chain_finalizedHead", "all": "chain_allHead"}[kind]

    def _unsubscribe_heads(self, s: Session, p: list[Any]) -> bool:
        return s.heads.pop(p[0], None) is not None if p and isinstance(p[0], str) else False

    def _subscribe_version(self, s: Session, p: list[Any]) -> str:
        self._need_socket(s)
        sub_id = s.new_id()
        s.versions.add(sub_id)
        s.send([notification("state_runtimeVersion", sub_id, self.chain.runtime_version())])
        return sub_id

    def _unsubscribe_version(self, s: Session, p: list[Any]) -> bool:
        if p and isinstance(p[0], str) and p[0] in s.versions:
            s.versions.discard(p[0])
            return True
        return False

    def _subscribe_storage(self, s: Session, p: list[Any]) -> str:
        keys = _param(p, 0)
        if keys is None:
            raise invalid_params("state_subscribeStorage without keys (watching every key is not supported)")
        if not isinstance(keys, list):  # sc-rpc sets no key count (only --rpc-max-request-size bounds it)
            raise invalid_params("keys must be a list of hex keys")
        parsed = [(k, _hex_bytes(k, f"keys[{i}]", 4096)) for i, k in enumerate(keys)]
        self._need_socket(s)
        sub_id = s.new_id()
        values = {k: self._value_hex(raw) for k, raw in parsed}
        s.storage[sub_id] = ([k for k, _ in parsed], values)
        s.send([notification("state_storage", sub_id, {"block": self.chain.head.hash, "changes": [[k, values[k]] for k, _ in parsed]})])
        return sub_id

    def _unsubscribe_storage(self, s: Session, p: list[Any]) -> bool:
        return s.storage.pop(p[0], None) is not None if p and isinstance(p[0], str) else False

    def _value_hex(self, key: bytes, at: str | None = None) -> str | None:
        value = self.chain.at(at, lambda: self.chain.state.get(key, at))
        return None if value is None else "0x" + value.hex()

    # --- state
    def _get_storage(self, s: Session, p: list[Any]) -> str | None:
        if not p:
            raise invalid_params("storage key missing")
        key = _hex_bytes(p[0], "storage key", 4096)
        at = _block_hash_param(_param(p, 1))
        value = self._value_hex(key, at)
        if at is not None and key == self.chain.state.events_key:
            self._events_read(s, at)
        return value

    def _read_proof(self, s: Session, p: list[Any]) -> None:
        # no fake proof: the simulator keeps no Merkle trie, and the headers' stateRoot is a digest
        # of the simulator's state, so no trie proof could check against it
        raise RpcError(-32000, "state_getReadProof is not supported by tangle-sim: the simulator keeps no storage trie, so it cannot prove storage against the header's stateRoot (a digest of its own state)")

    def _get_storage_hash(self, s: Session, p: list[Any]) -> str | None:
        value = self._get_storage(s, p)
        return None if value is None else "0x" + hashlib.blake2b(bytes.fromhex(value[2:]), digest_size=32).hexdigest()

    def _get_storage_size(self, s: Session, p: list[Any]) -> int | None:
        value = self._get_storage(s, p)
        return None if value is None else (len(value) - 2) // 2

    def _get_keys_paged(self, s: Session, p: list[Any]) -> list[str]:
        prefix = _hex_bytes(p[0], "prefix", 4096) if p and p[0] is not None else b""
        count = _param(p, 1, MAX_KEYS_PAGED)
        if isinstance(count, bool) or not isinstance(count, int):
            raise invalid_params(f"count must be an integer, got {count!r}"[:200])
        if count < 0 or count > MAX_KEYS_PAGED:
            raise invalid_params(f"count must be between 0 and {MAX_KEYS_PAGED}, got {count}")
        start = _hex_bytes(p[2], "start key", 4096) if len(p) > 2 and p[2] is not None else None
        at = _block_hash_param(_param(p, 3))
        if start is not None and start == prefix:
            start = None
        keys = self.chain.at(at, lambda: self.chain.state.keys_paged(prefix, count, start))
        return ["0x" + k.hex() for k in keys]

    def _query_storage_at(self, s: Session, p: list[Any]) -> list[dict[str, Any]]:
        keys = _param(p, 0, [])
        if not isinstance(keys, list):  # sc-rpc sets no key count (only --rpc-max-request-size bounds it)
            raise invalid_params("keys must be a list of hex keys")
        parsed = [(k, _hex_bytes(k, f"keys[{i}]", 4096)) for i, k in enumerate(keys)]
        at = _block_hash_param(_param(p, 1))
        block_hash = at or self.chain.head.hash

        def read() -> list[list[Any]]:
            changes = []
            for k, raw in parsed:
                value = self.chain.state.get(raw, at)
                changes.append([k, None if value is None else "0x" + value.hex()])
            return changes

        return [{"block": block_hash, "changes": self.chain.at(at, read)}]

    def _state_call(self, s: Session, p: list[Any]) -> str:
        method = _param(p, 0)
        if not isinstance(method, str):
            raise invalid_params("method name must be a string")
        raw_data = _param(p, 1, "0x")
        data = b"" if raw_data in ("", None) else _hex_bytes(raw_data, "call data")  # PAPI sends "" for no arguments
        at = _block_hash_param(_param(p, 2))
        return "0x" + self.chain.at(at, lambda: self.api.call(method, data)).hex()

    def _payment_fee_of(self, raw: bytes, what: str) -> tuple[int, str, Any]:
        """pallet-transaction-payment-rpc's errors: the opaque extrinsic does not decode -> 2
        (DecodeError); the runtime call fails (it cannot decode it, or the call is not modelled) -> 1
        (RuntimeError); both with message ``what`` and the reason as data."""
        reason = opaque_decode_error(raw)
        if reason is not None:
            raise RpcError(2, what, f'Error {{ cause: None, desc: "{reason}" }}')
        try:
            return self.api.fee_of(raw)
        except PoolError as exc:
            raise RpcError(1, what, exc.data or exc.message) from None
        except ApiError as exc:
            raise RpcError(1, what, f"Execution failed: {exc}") from None

    def _payment_query_info(self, s: Session, p: list[Any]) -> dict[str, Any]:
        raw = _hex_bytes(_param(p, 0), "extrinsic")
        weight, klass, fee = self._payment_fee_of(raw, "Unable to query dispatch info.")
        return {"weight": {"ref_time": weight, "proof_size": 0}, "class": klass.lower(), "partialFee": str(fee.total if fee else 0)}

    def _payment_fee_details(self, s: Session, p: list[Any]) -> dict[str, Any]:
        raw = _hex_bytes(_param(p, 0), "extrinsic")
        _, _, fee = self._payment_fee_of(raw, "Unable to query fee details.")
        if fee is None:
            return {"inclusionFee": None}
        # pallet-transaction-payment-rpc turns each u128 into sp-rpc's NumberOrHex, whose From<u128>
        # always gives Hex (a U256: minimal 0x hex, "0x0" for zero); ``tip`` is not serialised
        return {"inclusionFee": {"baseFee": hex(fee.base_fee), "lenFee": hex(fee.len_fee), "adjustedWeightFee": hex(fee.adjusted_weight_fee)}}

    def _dry_run(self, s: Session, p: list[Any]) -> str:
        raw = _hex_bytes(_param(p, 0), "extrinsic")
        at = _block_hash_param(_param(p, 1))
        if at is not None and at != self.chain.head.hash:
            raise invalid_params("system_dryRun runs at the best block only")
        return "0x" + self.api.dry_run(raw).hex()

    # --- author
    def _submit(self, s: Session, p: list[Any]) -> str:
        if not p:
            raise invalid_params("extrinsic missing")
        _hex_bytes(p[0], "extrinsic")  # jsonrpsee: a param that is not Bytes is -32602
        try:
            return self.chain.submit(p[0]).hash
        except OpaqueDecodeError as exc:  # sc-rpc author: Error::Client, "other" -> 1040
            raise RpcError(1040, f"Client error: {exc.reason}") from None

    def _submit_and_watch(self, s: Session, p: list[Any]) -> str:
        if not p:
            raise invalid_params("extrinsic missing")
        self._need_socket(s)
        _hex_bytes(p[0], "extrinsic")
        sub_id = s.new_id()
        with self.chain.lock:
            sub = self.chain._apply(p[0])
            s.watches[sub.hash] = sub_id
            s.send([notification("author_extrinsicUpdate", sub_id, "ready")])
            self.chain.after_submit()
        return sub_id

    def _unwatch(self, s: Session, p: list[Any]) -> bool:
        if not p or not isinstance(p[0], str):
            return False
        for xt, sub_id in list(s.watches.items()):
            if sub_id == p[0]:
                del s.watches[xt]
                return True
        for block_hash, subs in list(s.in_block.items()):
            if p[0] in subs:
                subs.remove(p[0])
                if not subs:
                    del s.in_block[block_hash]
                return True
        return False

    # --- block production
    def _create_block(self, s: Session, p: list[Any]) -> dict[str, Any]:
        finalize = _param(p, 1, False)
        if not isinstance(finalize, bool):
            raise invalid_params("engine_createBlock takes (create_empty: bool, finalize: bool, parent_hash?)")
        block = self.chain.seal(auto_finality=False)  # manual-seal: finality only when asked
        if finalize:
            self.chain.finalize(block.hash)
        return {"hash": block.hash, "aux": {"header_only": False, "clear_justification_requests": False, "needs_justification": False, "bad_justification": False, "is_new_best": True}}

    def _finalize_block(self, s: Session, p: list[Any]) -> bool:
        target = _block_hash_param(_param(p, 0))
        if target is None or self.chain.block(target) is None:
            raise invalid_params("engine_finalizeBlock needs the hash of a known block")
        self.chain.finalize(target)
        return True

    # --- Chopsticks dev RPCs (shared/spec/node.md §6)
    def _dev_new_block(self, s: Session, p: list[Any]) -> str:
        opts = _param(p, 0, {}) or {}
        if not isinstance(opts, dict):
            raise invalid_params("dev_newBlock takes one object {count?, to?, transactions?, unsafeBlockHeight?}")
        count = opts.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1 or count > 10_000:
            raise invalid_params("count must be an integer between 1 and 10000")
        to = opts.get("to")
        if to is not None:
            if isinstance(to, bool) or not isinstance(to, int) or to < 0:
                raise invalid_params("to must be a non-negative integer")
            count = max(to - self.chain.head.number, 1)
            if count > 10_000:
                raise invalid_params("to is more than 10000 blocks ahead")
        for key in ("dmp", "ump", "hrmp", "relayChainStateOverrides", "relayParentNumber"):
            if opts.get(key):
                raise invalid_params(f"{key} is for parachains; the Tangle chain is a solo chain")
        if opts.get("unsafeBlockHeight") is not None:
            raise invalid_params("unsafeBlockHeight is not supported: block numbers are contiguous in the simulator")
        txs = opts.get("transactions")
        if txs is not None:
            if not isinstance(txs, list) or len(txs) > MAX_QUERY_KEYS:
                raise invalid_params("transactions must be a list of hex extrinsics")
            held = self.chain.save_open_block()
            if len(held[0]) > held[1]:
                raise invalid_params("transactions given while the pool holds extrinsics; build those first")
            for i, tx in enumerate(txs):
                self.chain._apply(tx)
        block = self.chain.head
        for _ in range(count):
            block = self.chain.seal()
        return block.hash

    def _dev_set_head(self, s: Session, p: list[Any]) -> str:
        ref = _param(p, 0)
        if isinstance(ref, bool) or ref is None:
            raise invalid_params("dev_setHead takes a block hash or number")
        if isinstance(ref, int):
            target: str | int = ref if ref > 0 else self.chain.head.number + ref
            if isinstance(target, int) and target < 0:
                raise invalid_params(f"{ref} goes below genesis")
        else:
            target = _block_hash_param(ref) or ""
        return self.chain.set_head(target).hash

    def _dev_set_storage(self, s: Session, p: list[Any]) -> str:
        values = _param(p, 0)
        at = _block_hash_param(_param(p, 1))
        if at is not None and at != self.chain.head.hash:
            raise invalid_params("dev_setStorage writes at the head only")
        if isinstance(values, dict):  # Chopsticks' {Pallet: {Item: value}} form
            from runtime.bridge.node.set_storage import SetStorageError, storage_pairs

            try:
                pairs = storage_pairs(self.chain.md, self.chain.state, values)
            except SetStorageError as exc:
                raise invalid_params(str(exc)) from None
            except RecursionError:
                raise invalid_params("storage override nested too deeply") from None
            return self._write_storage(pairs)
        if not isinstance(values, list):
            raise invalid_params("dev_setStorage takes {Pallet: {Item: value}} or raw [[key, value|null], ...] pairs")
        pairs = []
        for i, pair in enumerate(values):
            if not isinstance(pair, list) or len(pair) != 2:
                raise invalid_params(f"values[{i}] must be [key, value|null]")
            key = _hex_bytes(pair[0], f"values[{i}][0]", 4096)
            value = None if pair[1] is None else _hex_bytes(pair[1], f"values[{i}][1]")
            pairs.append((key, value))
        return self._write_storage(pairs)

    def _write_storage(self, pairs: list[tuple[bytes, bytes | None]]) -> str:
        try:
            self.chain.write_at_head(lambda: self.chain.state.set_raw(pairs))
        except (ValueError, KeyError) as exc:
            raise invalid_params(str(exc)) from None
        self._notify_storage_changes()
        return self.chain.head.hash

    def _dev_time_travel(self, s: Session, p: list[Any]) -> int:
        when = _param(p, 0)
        if isinstance(when, bool) or not isinstance(when, (int, str)):
            raise invalid_params("dev_timeTravel takes a time in ms since the Unix epoch or a date string")
        if isinstance(when, str):
            from datetime import datetime, timezone

            try:
                parsed = datetime.fromisoformat(when.replace("Z", "+00:00"))
            except ValueError:
                raise invalid_params(f"cannot parse the date {when!r}"[:200]) from None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
            when = int(parsed.timestamp() * 1000)
        if when < 0 or when >= 2**63:
            raise invalid_params("time out of range")
        self.chain.time_travel(when)
        return when

    def _dev_set_build_mode(self, s: Session, p: list[Any]) -> None:
        mode = _param(p, 0)
        modes = {"instant": "instant", "batch": "batch", "manual": "manual", 1: "batch", 2: "instant", 3: "manual"}
        key = mode.lower() if isinstance(mode, str) else mode if isinstance(mode, int) and not isinstance(mode, bool) else None
        if key not in modes:
            raise invalid_params("mode must be Instant, Batch or Manual")
        self.chain.sealing = modes[key]
        return None

    def _dev_set_log_level(self, s: Session, p: list[Any]) -> None:
        level = _param(p, 0)
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 5:
            raise invalid_params("level must be an integer from 0 (off) to 5 (trace)")
        self.log_level = level
        return None

    # --- notifications
    def _register(self, s: Session) -> None:
        if s not in self.sessions:
            self.sessions.append(s)

    def forget(self, s: Session) -> None:
        """A connection closed: drop every subscription it held."""
        if s in self.sessions:
            self.sessions.remove(s)
        s.watches.clear()
        s.in_block.clear()
        s.heads.clear()
        s.storage.clear()
        s.versions.clear()
        s.held_final.clear()
        s.follows.clear()
        s.tx_watches.clear()
        s.broadcasts.clear()

    def _on_block(self, block: Block, submissions: list[Submission]) -> None:
        spec_changed = block.number > 0 and (parent := self.chain.block(block.parent_hash)) is not None and parent.spec_version != block.spec_version
        for s in list(self.sessions):
            msgs = []
            for sub_id, kind in s.heads.items():
                if kind != "finalized":
                    msgs.append(notification(self._head_method(kind), sub_id, block.header_json()))
            for sub in submissions:
                sub_id = s.watches.pop(sub.hash, None)
                if sub_id is not None:
                    msgs.append(notification("author_extrinsicUpdate", sub_id, {"inBlock": block.hash}))
                    s.in_block.setdefault(block.hash, []).append(sub_id)
            if spec_changed:
                msgs += [notification("state_runtimeVersion", v, self.chain.runtime_version()) for v in s.versions]
            s.send(msgs)
        self._notify_storage_changes(block)

    def _on_invalid(self, dropped: list[tuple[Submission, PoolError]]) -> None:
        """``invalid`` (sc-transaction-pool ``TransactionStatus::Invalid``) for transactions the block
        builder left out because they were no longer valid in the pool's priority order."""
        for s in list(self.sessions):
            msgs = [notification("author_extrinsicUpdate", sub_id, "invalid") for sub, _ in dropped if (sub_id := s.watches.pop(sub.hash, None)) is not None]
            s.send(msgs)

    def _notify_storage_changes(self, block: Block | None = None) -> None:
        head = block.hash if block is not None else self.chain.head.hash
        for s in list(self.sessions):
            msgs = []
            for sub_id, (keys, last) in s.storage.items():
                changes = []
                for k in keys:
                    value = self._value_hex(bytes.fromhex(k[2:]))
                    if value != last.get(k):
                        last[k] = value
                        changes.append([k, value])
                if changes:
                    msgs.append(notification("state_storage", sub_id, {"block": head, "changes": changes}))
            s.send(msgs)

    def _on_finalized(self, blocks: list[Block]) -> None:
        """Finalized heads, and with them the Finalized statuses, as sc-transaction-pool sends them.

        One exception keeps polkadot.js's InBlock result: it reads the block's events on InBlock and
        drops a result it is still building when Finalized arrives (``switchMap``). So for a client
        that reads events of its watched blocks, a status goes out no sooner than ``AFTER_EVENTS_READ``
        s after that read, and waits for the read (at most ``FINALITY_HOLD`` s) if it has not come
        yet. With the default finality delay (0.5 s) the read is usually done: the status arrives with
        the finalized head, or shortly after. A client that neither subscribed to the runtime version
        nor read its watched blocks' events (substrate-interface, raw clients) is not held."""
        if not blocks:
            return
        last = blocks[-1]
        now = time.monotonic()
        for s in list(self.sessions):
            msgs = [notification("chain_finalizedHead", sub_id, last.header_json()) for sub_id, kind in s.heads.items() if kind == "finalized"]
            for block in blocks:
                statuses = [notification("author_extrinsicUpdate", sub_id, {"finalized": block.hash}) for sub_id in s.in_block.pop(block.hash, [])]
                if not statuses:
                    continue
                read_at = s.events_read.get(block.hash)
                # polkadot.js subscribes to the runtime version on connect: from its first transaction on
                # it reads events on InBlock (substrate-interface and raw clients do neither)
                if self.chain.scheduler is None or not (s.reads_events or s.versions):
                    msgs += statuses
                elif read_at is not None:
                    wait = read_at + AFTER_EVENTS_READ - now
                    if wait <= 0:
                        msgs += statuses
                    else:
                        s.held_final.setdefault(block.hash, []).extend(statuses)
                        self.chain.scheduler(wait, lambda s=s, h=block.hash: self._release_final(s, h))
                else:
                    s.held_final.setdefault(block.hash, []).extend(statuses)
                    self.chain.scheduler(FINALITY_HOLD, lambda s=s, h=block.hash: self._release_final(s, h))
            s.send(msgs)

    def _events_read(self, s: Session, block_hash: str) -> None:
        if len(s.events_read) >= 1024:
            s.events_read.clear()
        s.events_read[block_hash] = time.monotonic()
        if block_hash in s.in_block or block_hash in s.held_final:
            s.reads_events = True
        if block_hash in s.held_final and self.chain.scheduler is not None:
            # polkadot.js still has work to do after this read before it hands InBlock to the caller
            self.chain.scheduler(AFTER_EVENTS_READ, lambda: self._release_final(s, block_hash))

    def _release_final(self, s: Session, block_hash: str) -> None:
        with self.chain.lock:
            held = s.held_final.pop(block_hash, None)
            if held and s in self.sessions:
                s.send(held)

    def _on_head_moved(self, block: Block) -> None:
        for s in list(self.sessions):
            msgs = [notification(self._head_method(kind), sub_id, block.header_json()) for sub_id, kind in s.heads.items() if kind != "finalized"]
            for block_hash in list(s.in_block):
                if self.chain.block(block_hash) is not None and self.chain.blocks[min(self.chain.block(block_hash).number, len(self.chain.blocks) - 1)].hash != block_hash:  # type: ignore[union-attr]
                    for sub_id in s.in_block.pop(block_hash):
                        msgs.append(notification("author_extrinsicUpdate", sub_id, {"retracted": block_hash}))
            s.send(msgs)
        self._notify_storage_changes()
