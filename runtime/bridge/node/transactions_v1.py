"""The new JSON-RPC spec's ``transaction_v1_*`` and ``transactionWatch_v1_*`` groups.

Why: polkadot-api broadcasts with ``transaction_v1_broadcast`` and then finds its transaction in
the bodies of the blocks its ``chainHead_v1_follow`` reports; other new-spec clients watch it with
``transactionWatch_v1_submitAndWatch``. Both go through the same pool checks as
``author_submitExtrinsic``. A broadcast's failure is silent (the spec's rule: the client learns
from the chain); a watched one reports ``invalid`` (pool rejection: format, signature, nonce,
fees) or ``error`` (a call the simulator does not model, a simulator panic), otherwise
``validated``, ``bestChainBlockIncluded`` with the block and index, and ``finalized``. A block
retracted by ``dev_setHead`` reports ``bestChainBlockIncluded: null`` and then ``dropped`` (the
node keeps no pool to re-include it). There are no peers, so no ``broadcasted`` event.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from runtime.bridge.node.chain import Block, OpaqueDecodeError, PoolError, Submission
from runtime.bridge.node.rpc import RpcError, Session, _param, invalid_params, notification

if TYPE_CHECKING:
    from runtime.bridge.node.rpc import RpcHandler

EVENT = "transactionWatch_v1_watchEvent"
MAX_BROADCASTS = 512  # broadcast operation ids a connection holds until transaction_v1_stop
MAX_TX_BYTES = 4 * 1024 * 1024
_NOT_EXECUTABLE = (9000, -32603)  # not modelled by the simulator, simulator panic: an `error`, not `invalid`


@dataclass
class TxWatch:
    xt_hash: str
    block: Block | None = None
    index: int = 0


def _tx_param(p: list[Any]) -> str:
    tx = _param(p, 0)
    if not isinstance(tx, str) or not tx.startswith("0x"):
        raise invalid_params("transaction must be 0x-prefixed hex")
    if len(tx) > 2 * MAX_TX_BYTES + 2:
        raise invalid_params(f"transaction is longer than {MAX_TX_BYTES} bytes")
    try:
        bytes.fromhex(tx[2:])
    except ValueError:
        raise invalid_params("transaction is not valid hex") from None
    return tx


class TransactionApi:
    """``transaction_v1_*`` and ``transactionWatch_v1_*`` for an :class:`RpcHandler`."""

    _broadcast_ids = itertools.count(1)

    def __init__(self, handler: "RpcHandler") -> None:
        self.handler = handler
        self.chain = handler.chain
        self.chain.listeners.append(self._on_block)
        self.chain.finality_listeners.append(self._on_finalized)
        self.chain.head_listeners.append(self._on_head_moved)
        self.chain.invalid_listeners.append(self._on_invalid)
        self.methods: dict[str, Callable[[Session, list[Any]], Any]] = {
            "transaction_v1_broadcast": self.broadcast,
            "transaction_v1_stop": self.stop,
            "transactionWatch_v1_submitAndWatch": self.submit_and_watch,
            "transactionWatch_v1_unwatch": self.unwatch,
        }

    def broadcast(self, s: Session, p: list[Any]) -> str | None:
        tx = _tx_param(p)
        if len(s.broadcasts) >= MAX_BROADCASTS:
            return None
        op_id = f"tx-{next(self._broadcast_ids)}"
        s.broadcasts.add(op_id)
        try:
            self.chain.submit(tx)
        except PoolError:
            pass  # the spec: an invalid transaction is dropped silently, its id stays until stopped
        return op_id

    def stop(self, s: Session, p: list[Any]) -> None:
        op_id = _param(p, 0)
        if not isinstance(op_id, str) or op_id not in s.broadcasts:
            raise RpcError(-32602, "Invalid operation id", str(op_id)[:100])
        s.broadcasts.discard(op_id)
        return None

    def submit_and_watch(self, s: Session, p: list[Any]) -> str:
        tx = _tx_param(p)
        self.handler._need_socket(s)
        sub_id = s.new_id()
        with self.chain.lock:
            try:
                sub = self.chain._apply(tx)
            except OpaqueDecodeError as exc:  # sc-rpc-spec-v2: not even an opaque extrinsic
                s.send([notification(EVENT, sub_id, {"event": "invalid", "error": f"Extrinsic bytes cannot be decoded: {exc.reason}"})])
                return sub_id
            except PoolError as exc:
                kind = "error" if exc.code in _NOT_EXECUTABLE else "invalid"
                s.send([notification(EVENT, sub_id, {"event": kind, "error": f"{exc.message}: {exc.data}" if exc.data else exc.message})])
                return sub_id
            s.tx_watches[sub_id] = TxWatch(sub.hash)
            s.send([notification(EVENT, sub_id, {"event": "validated"})])
            self.chain.after_submit()
        return sub_id

    def unwatch(self, s: Session, p: list[Any]) -> None:
        sub_id = _param(p, 0)
        if not isinstance(sub_id, str) or s.tx_watches.pop(sub_id, None) is None:
            raise RpcError(-32602, "Invalid subscription id", str(sub_id)[:100])
        return None

    # --- chain listeners
    def _on_block(self, block: Block, submissions: list[Submission]) -> None:
        by_hash = {sub.hash: sub for sub in submissions}
        for s in list(self.handler.sessions):
            msgs = []
            for sub_id, w in s.tx_watches.items():
                sub = by_hash.get(w.xt_hash)
                if sub is not None and w.block is None:
                    w.block, w.index = block, sub.index
                    msgs.append(notification(EVENT, sub_id, {"event": "bestChainBlockIncluded", "block": {"hash": block.hash, "index": sub.index}}))
            s.send(msgs)

    def _on_invalid(self, dropped: list[tuple[Submission, PoolError]]) -> None:
        """Transactions the block builder left out (no longer valid in the pool's order)."""
        gone = {sub.hash: exc for sub, exc in dropped}
        for s in list(self.handler.sessions):
            msgs = []
            for sub_id, w in list(s.tx_watches.items()):
                exc = gone.get(w.xt_hash)
                if exc is not None and w.block is None:
                    msgs.append(notification(EVENT, sub_id, {"event": "invalid", "error": f"{exc.message}: {exc.data}" if exc.data else exc.message}))
                    del s.tx_watches[sub_id]
            s.send(msgs)

    def _on_finalized(self, blocks: list[Block]) -> None:
        final = {b.hash for b in blocks}
        for s in list(self.handler.sessions):
            msgs = []
            for sub_id, w in list(s.tx_watches.items()):
                if w.block is not None and w.block.hash in final:
                    msgs.append(notification(EVENT, sub_id, {"event": "finalized", "block": {"hash": w.block.hash, "index": w.index}}))
                    del s.tx_watches[sub_id]
            s.send(msgs)

    def _on_head_moved(self, head: Block) -> None:
        for s in list(self.handler.sessions):
            msgs = []
            for sub_id, w in list(s.tx_watches.items()):
                if w.block is None:  # still in the open block, which set_head discarded
                    msgs.append(notification(EVENT, sub_id, {"event": "dropped", "error": "dev_setHead discarded the open block holding the transaction"}))
                    del s.tx_watches[sub_id]
                elif not self.chain.on_chain(w.block):
                    msgs.append(notification(EVENT, sub_id, {"event": "bestChainBlockIncluded", "block": None}))
                    msgs.append(notification(EVENT, sub_id, {"event": "dropped", "error": f"block {w.block.hash} was retracted by dev_setHead; the node does not re-include its transactions"}))
                    del s.tx_watches[sub_id]
            s.send(msgs)
