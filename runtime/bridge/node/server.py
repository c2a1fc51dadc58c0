"""HTTP and websocket transport for the node, on one port, with the standard library only.

Why hand-written: a Substrate node serves JSON-RPC over HTTP POST and websockets on the same port
(9944); the websocket protocol needed here is small (RFC 6455: the upgrade handshake, unmasking
client frames, text/binary/ping/close, no extensions). Requests are handled on the event loop one
at a time, so the simulator never sees two calls at once.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import struct
import threading
from typing import Any

from runtime.bridge.node.rpc import RpcHandler, Session

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 64 * 1024 * 1024  # a websocket frame larger than this closes the connection (transport guard)
MAX_HTTP_BODY = 15 * 1024 * 1024  # Substrate's default --rpc-max-request-size (15 MiB), on HTTP and websocket alike
MAX_BATCH = 1000


def _error(code: int, message: str, data: Any = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return {"jsonrpc": "2.0", "id": None, "error": err}


def parse_request(body: bytes) -> tuple[Any, dict[str, Any] | None]:
    """(decoded request, None) or (None, the JSON-RPC error to send): bad UTF-8, bad JSON, deep nesting."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, _error(-32700, "Parse error", f"the body is not valid UTF-8 (byte {exc.start})")
    try:
        return json.loads(text), None
    except RecursionError:
        return None, _error(-32700, "Parse error", "JSON nested too deeply")
    except ValueError as exc:
        return None, _error(-32700, "Parse error", str(exc)[:200])


class NodeServer:
    """Serves an :class:`RpcHandler` on ``host:port`` (port 0 picks a free one; see ``.port``)."""

    def __init__(self, handler: RpcHandler, host: str = "127.0.0.1", port: int = 9944) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self._server: asyncio.base_events.Server | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self.loop = loop = asyncio.get_running_loop()

        def schedule(delay: float, fn: Any) -> None:  # finality after a delay, on this loop (any thread may ask)
            loop.call_soon_threadsafe(loop.call_later, delay, fn)

        self.handler.chain.scheduler = schedule
        self._server = await asyncio.start_server(self._client, self.host, self.port, limit=MAX_MESSAGE)
        self.port = self._server.sockets[0].getsockname()[1]

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        self.handler.chain.scheduler = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    # --- one TCP connection: HTTP requests until it upgrades or closes
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                parts = request_line.split(" ")
                method = parts[0].upper() if parts else ""
                headers = {}
                for line in header_lines:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                if headers.get("upgrade", "").lower() == "websocket":
                    await self._websocket(reader, writer, headers)
                    return
                if method == "POST":
                    raw_length = headers.get("content-length", "0")
                    if not raw_length.isdigit():
                        self._http_reply(writer, 400, _error(-32600, "Invalid Request", f"Content-Length must be a non-negative integer, got {raw_length[:40]!r}"))
                        await writer.drain()
                        break
                    length = int(raw_length)
                    if length > MAX_HTTP_BODY:
                        self._http_reply(writer, 413, _error(-32007, "Request is too big", f"the body is {length} bytes; the limit is {MAX_HTTP_BODY}"))
                        await writer.drain()
                        break
                    body = await reader.readexactly(length) if length else b""
                    await self._http_post(writer, body)
                elif method == "GET":
                    self._http_reply(writer, 200, {"name": "tangle-sim", "head": self.handler.chain.head.number})
                else:
                    self._http_reply(writer, 405, {"error": f"method {method} not allowed"})
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:  # the server is shutting down: end quietly
            pass
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass

    def _http_reply(self, writer: asyncio.StreamWriter, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        reason = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 413: "Payload Too Large"}.get(status, "OK")
        writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)

    async def _http_post(self, writer: asyncio.StreamWriter, body: bytes) -> None:
        request, error = parse_request(body)
        if error is not None:
            self._http_reply(writer, 200, error)
            return
        session = Session(push=None)
        if isinstance(request, list) and not 0 < len(request) <= MAX_BATCH:
            self._http_reply(writer, 200, _error(-32600, "Invalid Request", f"a batch holds 1 to {MAX_BATCH} requests"))
        elif isinstance(request, list):
            replies = [r for req in request for r in self.handler.respond(session, req)[:1]]
            self._http_reply(writer, 200, replies)
        else:
            replies = self.handler.respond(session, request)
            self._http_reply(writer, 200, replies[0] if replies else None)

    # --- websocket
    async def _websocket(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: dict[str, str]) -> None:
        key = headers.get("sec-websocket-key", "")
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        await writer.drain()
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def push(message: dict[str, Any]) -> None:
            data = _frame(0x1, json.dumps(message).encode())
            loop.call_soon_threadsafe(queue.put_nowait, data)

        session = Session(push=push)
        sender = asyncio.create_task(_drain(queue, writer))
        try:
            buffer = b""
            oversized = 0  # bytes of a message over the request limit, skipped until its last frame
            while True:
                opcode, fin, payload = await _read_frame(reader)
                if opcode == 0x8:  # close
                    queue.put_nowait(_frame(0x8, payload[:2]))
                    break
                if opcode == 0x9:  # ping
                    queue.put_nowait(_frame(0xA, payload))
                    continue
                if opcode == 0xA:
                    continue
                if oversized or len(buffer) + len(payload) > MAX_HTTP_BODY:
                    # jsonrpsee (--rpc-max-request-size): the message is refused with -32007 and id
                    # null, the connection stays open
                    oversized += len(buffer) + len(payload)
                    buffer = b""
                    if fin:
                        error = _error(-32007, "Request is too big", f"Exceeded max limit of {MAX_HTTP_BODY}")
                        queue.put_nowait(_frame(0x1, json.dumps(error).encode()))
                        oversized = 0
                    continue
                buffer += payload
                if not fin:
                    continue
                text, buffer = buffer, b""
                for message in self._messages(session, text):
                    queue.put_nowait(_frame(0x1, json.dumps(message).encode()))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.handler.forget(session)
            queue.put_nowait(None)
            try:
                await sender
            except asyncio.CancelledError:
                pass

    def _messages(self, session: Session, text: bytes) -> list[Any]:
        request, error = parse_request(text)
        if error is not None:
            return [error]
        if isinstance(request, list) and not 0 < len(request) <= MAX_BATCH:
            return [_error(-32600, "Invalid Request", f"a batch holds 1 to {MAX_BATCH} requests")]
        if isinstance(request, list):
            # JSON-RPC 2.0 §6 (and jsonrpsee, on ws too): one array holds the batch's responses;
            # notifications a request triggers (a subscription's first value) follow it
            replies: list[Any] = []
            follow: list[dict[str, Any]] = []
            for req in request:
                for m in self.handler.respond(session, req):
                    (follow if "method" in m else replies).append(m)
            return ([replies] if replies else []) + follow
        return self.handler.respond(session, request)


async def _drain(queue: "asyncio.Queue[bytes | None]", writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await queue.get()
            if data is None:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    b1, b2 = await reader.readexactly(2)
    fin = bool(b1 & 0x80)
    opcode = b1 & 0x0F
    length = b2 & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    if length > MAX_MESSAGE:
        raise ConnectionError("websocket frame too large")
    mask = await reader.readexactly(4) if b2 & 0x80 else None
    payload = await reader.readexactly(length)
    if mask is not None:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if length < 4096 else _unmask(payload, mask)
    return opcode, fin, payload


def _unmask(payload: bytes, mask: bytes) -> bytes:
    n = len(payload)
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big")


def _frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


class NodeThread:
    """Run a node server in a background thread (tests, notebooks): ``with NodeThread(handler) as node: node.url``."""

    def __init__(self, handler: RpcHandler, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = NodeServer(handler, host, port)
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="tangle-sim-node", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        async def main() -> None:
            self._stop = asyncio.Event()
            try:
                await self.server.start()
            except BaseException as exc:  # noqa: BLE001
                self._error = exc
                self._ready.set()
                return
            self._ready.set()
            await self._stop.wait()
            await self.server.close()

        asyncio.run(main())

    def start(self) -> "NodeThread":
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        loop = self.server.loop
        if loop is not None and self._stop is not None:
            loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    @property
    def url(self) -> str:
        return f"ws://{self.server.host}:{self.server.port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def __enter__(self) -> "NodeThread":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
