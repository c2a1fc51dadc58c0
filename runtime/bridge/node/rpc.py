"""JSON-RPC methods of the node, independent of the transport.

Why separate from the server: the method table is the node's contract with clients (names,
parameter shapes and result shapes as a Substrate node has them) and is tested without sockets.
Subscriptions (``author_submitAndWatchExtrinsic``, ``chain_subscribe*Heads``) push notifications
through the :class:`Session` of the connection that asked, so one transport-neutral callback is
all a server needs to provide.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

from runtime.bridge.node.chain import Block, PoolError, SimChain, Submission
from runtime.bridge.node.storage import StorageEncodeError

SYSTEM_CHAIN = "Tangle Testnet (tangle-sim)"
NODE_NAME = "tangle-sim"


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


class Session:
    """One client connection: its subscriptions and how to push a notification to it."""

    _ids = itertools.count(1)

    def __init__(self, push: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.push = push  # None over HTTP: no subscriptions
        self.watches: dict[str, str] = {}  # extrinsic hash -> subscription id
        self.heads: dict[str, str] = {}  # subscription id -> "new" | "finalized" | "all"

    def new_id(self) -> str:
        return f"0x{next(self._ids):016x}"

    def notify(self, method: str, sub_id: str, result: Any) -> None:
        if self.push is not None:
            self.push({"jsonrpc": "2.0", "method": method, "params": {"subscription": sub_id, "result": result}})


def _hex_bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(-32602, f"Invalid params: {what} must be 0x-hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise RpcError(-32602, f"Invalid params: {what} is not valid hex") from None


def _block_number(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise RpcError(-32602, "Invalid params: block number")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 16) if value.startswith("0x") else int(value)
        except ValueError:
            raise RpcError(-32602, f"Invalid params: block number {value!r}") from None
    raise RpcError(-32602, f"Invalid params: block number {value!r}")


class RpcHandler:
    """Maps method names to the chain. ``handle`` takes a decoded request, returns the response (or None)."""

    def __init__(self, chain: SimChain) -> None:
        self.chain = chain
        self.sessions: list[Session] = []
        chain.listeners.append(self._on_block)
        self.methods: dict[str, Callable[[Session, list[Any]], Any]] = {
            "rpc_methods": lambda s, p: {"methods": sorted(self.methods), "version": 1},
            "system_chain": lambda s, p: SYSTEM_CHAIN,
            "system_name": lambda s, p: NODE_NAME,
            "system_version": lambda s, p: "0.1.0-tangle-sim",
            "system_chainType": lambda s, p: "Development",
            "system_properties": lambda s, p: {"ss58Format": self.chain.md.ss58_prefix, "tokenDecimals": 18, "tokenSymbol": "tTNT"},
            "system_health": lambda s, p: {"peers": 0, "isSyncing": False, "shouldHavePeers": False},
            "system_accountNextIndex": self._account_next_index,
            "chain_getBlockHash": self._get_block_hash,
            "chain_getHead": lambda s, p: self.chain.head.hash,
            "chain_getFinalizedHead": lambda s, p: self.chain.head.hash,
            "chain_getFinalisedHead": lambda s, p: self.chain.head.hash,
            "chain_getHeader": self._get_header,
            "chain_getBlock": self._get_block,
            "chain_getRuntimeVersion": lambda s, p: self.chain.runtime_version(),
            "chain_subscribeNewHeads": lambda s, p: self._subscribe_heads(s, "new"),
            "chain_subscribeFinalizedHeads": lambda s, p: self._subscribe_heads(s, "finalized"),
            "chain_subscribeAllHeads": lambda s, p: self._subscribe_heads(s, "all"),
            "chain_unsubscribeNewHeads": self._unsubscribe_heads,
            "chain_unsubscribeFinalizedHeads": self._unsubscribe_heads,
            "chain_unsubscribeAllHeads": self._unsubscribe_heads,
            "state_getMetadata": lambda s, p: "0x" + self.chain.md.v14_bytes().hex(),
            "state_getRuntimeVersion": lambda s, p: self.chain.runtime_version(),
            "state_getStorage": self._get_storage,
            "state_getKeysPaged": self._get_keys_paged,
            "state_queryStorageAt": self._query_storage_at,
            "state_call": self._state_call,
            "author_submitExtrinsic": self._submit,
            "author_submitAndWatchExtrinsic": self._submit_and_watch,
            "author_unwatchExtrinsic": self._unwatch,
            "author_pendingExtrinsics": lambda s, p: ["0x" + x.hex() for x in self.chain.pending()],
            "engine_createBlock": self._create_block,
            "engine_finalizeBlock": lambda s, p: True,
        }

    # --- entry point
    def handle(self, session: Session, request: Any) -> dict[str, Any] | None:
        """One JSON-RPC request object → its response object (None for notifications without id)."""
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Invalid Request"}}
        req_id = request.get("id")
        method = self.methods.get(request["method"])
        params = request.get("params") or []
        if isinstance(params, dict):
            params = list(params.values())
        try:
            if method is None:
                raise RpcError(-32601, f"Method not found: {request['method']}")
            with self.chain.lock:
                response: dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "result": method(session, params)}
        except (RpcError, PoolError) as exc:
            response = {"jsonrpc": "2.0", "id": req_id, "error": exc.to_json()}
        except StorageEncodeError as exc:
            response = {"jsonrpc": "2.0", "id": req_id, "error": {"code": -32603, "message": "Internal error", "data": str(exc)}}
        after = getattr(session, "_after", None)
        session._after = []  # type: ignore[attr-defined]
        if after and "result" in response:
            return {"response": response, "then": after}
        return response

    def respond(self, session: Session, request: Any) -> list[dict[str, Any]]:
        """Responses and the notifications that must follow them, in sending order."""
        out = self.handle(session, request)
        if out is None:
            return []
        if "then" in out:
            return [out["response"], *out["then"]]
        return [out]

    # --- system / chain
    def _account_next_index(self, s: Session, p: list[Any]) -> int:
        from runtime.accounts import normalize_account

        if not p:
            raise RpcError(-32602, "Invalid params: account")
        try:
            return self.chain.nonce(normalize_account(p[0]))
        except ValueError as exc:
            raise RpcError(-32602, f"Invalid params: {exc}") from None

    def _get_block_hash(self, s: Session, p: list[Any]) -> Any:
        if not p or p[0] is None:
            return self.chain.head.hash
        if isinstance(p[0], list):
            return [self._hash_of(v) for v in p[0]]
        return self._hash_of(p[0])

    def _hash_of(self, value: Any) -> str | None:
        block = self.chain.block(_block_number(value))
        return block.hash if block else None

    def _find(self, p: list[Any]) -> Block | None:
        ref = p[0] if p else None
        return self.chain.block(ref)

    def _get_header(self, s: Session, p: list[Any]) -> Any:
        block = self._find(p)
        return block.header() if block else None

    def _get_block(self, s: Session, p: list[Any]) -> Any:
        block = self._find(p)
        return block.to_json() if block else None

    def _subscribe_heads(self, s: Session, kind: str) -> str:
        if s.push is None:
            raise RpcError(-32601, "Subscriptions need a websocket connection")
        sub_id = s.new_id()
        s.heads[sub_id] = kind
        self._register(s)
        self._after(s, [{"jsonrpc": "2.0", "method": self._head_method(kind), "params": {"subscription": sub_id, "result": self.chain.head.header()}}])
        return sub_id

    @staticmethod
    def _head_method(kind: str) -> str:
        return {"new": "chain_newHead", "finalized": "chain_finalizedHead", "all": "chain_allHead"}[kind]

    def _unsubscribe_heads(self, s: Session, p: list[Any]) -> bool:
        return s.heads.pop(p[0], None) is not None if p else False

    # --- state
    def _get_storage(self, s: Session, p: list[Any]) -> str | None:
        if not p:
            raise RpcError(-32602, "Invalid params: storage key")
        key = _hex_bytes(p[0], "storage key")
        block_hash = p[1] if len(p) > 1 else None
        if block_hash is not None and self.chain.block(block_hash) is None:
            raise RpcError(4003, f"Unknown block {block_hash}")
        value = self.chain.state.get(key, block_hash)
        return None if value is None else "0x" + value.hex()

    def _get_keys_paged(self, s: Session, p: list[Any]) -> list[str]:
        prefix = _hex_bytes(p[0], "prefix") if p and p[0] else b""
        count = int(p[1]) if len(p) > 1 else 1000
        start = _hex_bytes(p[2], "start key") if len(p) > 2 and p[2] else None
        if start is not None and start == prefix:
            start = None
        return ["0x" + k.hex() for k in self.chain.state.keys_paged(prefix, count, start)]

    def _query_storage_at(self, s: Session, p: list[Any]) -> list[dict[str, Any]]:
        keys = p[0] if p else []
        block_hash = p[1] if len(p) > 1 and p[1] else self.chain.head.hash
        changes = []
        for key in keys:
            value = self.chain.state.get(_hex_bytes(key, "storage key"), block_hash)
            changes.append([key, None if value is None else "0x" + value.hex()])
        return [{"block": block_hash, "changes": changes}]

    def _state_call(self, s: Session, p: list[Any]) -> str:
        method = p[0] if p else None
        data = _hex_bytes(p[1], "call data") if len(p) > 1 else b""
        if method == "AccountNonceApi_account_nonce":
            if len(data) != 32:
                raise RpcError(-32602, "Invalid params: AccountNonceApi_account_nonce takes an AccountId32")
            from runtime.accounts import normalize_account

            return "0x" + self.chain.nonce(normalize_account(data)).to_bytes(4, "little").hex()
        if method == "Core_version":
            raise RpcError(-32601, "Core_version: use state_getRuntimeVersion")
        raise RpcError(-32601, f"state_call {method}: runtime API not provided by tangle-sim")

    # --- author
    def _submit(self, s: Session, p: list[Any]) -> str:
        if not p:
            raise RpcError(-32602, "Invalid params: extrinsic")
        return self.chain.submit(p[0]).hash

    def _submit_and_watch(self, s: Session, p: list[Any]) -> str:
        if s.push is None:
            raise RpcError(-32601, "Subscriptions need a websocket connection")
        if not p:
            raise RpcError(-32602, "Invalid params: extrinsic")
        sub_id = s.new_id()
        self._register(s)
        with self.chain.lock:
            instant = self.chain.sealing == "instant"
            if instant:
                # dispatch, keep the notifications of the sealed block for after the response
                sub = self.chain._apply(p[0])
                s.watches[sub.hash] = sub_id
                self._after(s, [self._status(sub_id, "ready")])
                self.chain.seal()
            else:
                sub = self.chain._apply(p[0])
                s.watches[sub.hash] = sub_id
                self._after(s, [self._status(sub_id, "ready")])
        return sub_id

    @staticmethod
    def _status(sub_id: str, result: Any) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "method": "author_extrinsicUpdate", "params": {"subscription": sub_id, "result": result}}

    def _unwatch(self, s: Session, p: list[Any]) -> bool:
        if not p:
            return False
        for xt_hash, sub_id in list(s.watches.items()):
            if sub_id == p[0]:
                del s.watches[xt_hash]
                return True
        return False

    def _create_block(self, s: Session, p: list[Any]) -> dict[str, Any]:
        block = self.chain.seal()
        return {"hash": block.hash, "aux": {"header_only": False, "clear_justification_requests": False, "needs_justification": False, "bad_justification": False, "is_new_best": True}}

    # --- notifications
    def _register(self, s: Session) -> None:
        if s not in self.sessions:
            self.sessions.append(s)

    def forget(self, s: Session) -> None:
        if s in self.sessions:
            self.sessions.remove(s)

    @staticmethod
    def _after(s: Session, messages: list[dict[str, Any]]) -> None:
        pending = getattr(s, "_after", None) or []
        pending += messages
        s._after = pending  # type: ignore[attr-defined]

    def _on_block(self, block: Block, submissions: list[Submission]) -> None:
        for s in list(self.sessions):
            msgs = []
            for sub in submissions:
                sub_id = s.watches.pop(sub.hash, None)
                if sub_id is not None:
                    msgs.append(self._status(sub_id, {"inBlock": block.hash}))
                    msgs.append(self._status(sub_id, {"finalized": block.hash}))
            for sub_id, kind in s.heads.items():
                msgs.append({"jsonrpc": "2.0", "method": self._head_method(kind), "params": {"subscription": sub_id, "result": block.header()}})
            if not msgs:
                continue
            if getattr(s, "_after", None) is not None and s._after:  # type: ignore[attr-defined]
                self._after(s, msgs)  # the request that sealed this block has not been answered yet
            elif s.push is not None:
                for m in msgs:
                    s.push(m)
