"""One-shot JSON-RPC calls to a node, without building a SubstrateInterface.

Why: fetching metadata or probing a node should not cost a full ``init_runtime`` (three RPCs and a
metadata decode). Websocket URLs use ``websocket-client`` (a substrate-interface dependency), HTTP
URLs use the standard library.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any


class RpcError(RuntimeError):
    """The node answered with a JSON-RPC error object (kept in ``.error``)."""

    def __init__(self, method: str, error: Any) -> None:
        self.error = error
        super().__init__(f"{method}: {error}")


def rpc_call(url: str, method: str, params: list[Any] | None = None, *, timeout: float = 30.0) -> Any:
    """Send one request and return its ``result`` (raises :class:`RpcError` on an error reply)."""
    payload = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    if url.startswith(("ws://", "wss://")):
        from websocket import create_connection

        ws = create_connection(url, timeout=timeout)
        try:
            ws.send(json.dumps(payload))
            while True:
                reply = json.loads(ws.recv())
                if reply.get("id") == 1:
                    break
        finally:
            ws.close()
    else:
        req = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            reply = json.loads(resp.read())
    if "error" in reply:
        raise RpcError(method, reply["error"])
    return reply.get("result")
