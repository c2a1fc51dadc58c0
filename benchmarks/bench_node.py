"""`tangle-sim node` speed as clients see it. Prints numbers.

Run: python benchmarks/bench_node.py [--transfers N] [--reads N] [--clients N] [--node-root DIR]

``--node-root`` serves the node from another checkout (e.g. ``git archive <base> | tar -x -C DIR``)
with the same clients, for before/after comparisons; alternate the runs, the machine's load moves
the numbers more than most changes do.

Starts the node as a subprocess (``python -m simulations.cli node --port <free>``), then measures:

- transfer round trip per client: submit -> InBlock of a signed ``Balances.transfer_keep_alive``,
  median and spread over N transfers, for substrate-interface (in this process) and, when the
  packages in ``tests/clients`` are installed, polkadot.js (``tests/clients/bench_pjs.mjs``) and
  polkadot-api (``tests/clients/bench_papi.mjs``);
- ``state_getStorage`` throughput: N reads of ``System.Account(Alice)`` from each of 8 concurrent
  client processes over their own websocket, one request in flight per client.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLIENTS = ROOT / "tests" / "clients"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_node(port: int, root: Path = ROOT) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.Popen([sys.executable, "-m", "simulations.cli", "node", "--port", str(port)], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"node exited: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("node did not start")


def summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    q1, q3 = ms[len(ms) // 4], ms[(3 * len(ms)) // 4]
    return f"median {statistics.median(ms):8.1f} ms  (IQR {q1:.1f}-{q3:.1f} ms, min {ms[0]:.1f}, max {ms[-1]:.1f}, n={len(ms)})"


def si_transfers(url: str, n: int) -> list[float] | str:
    from substrateinterface import Keypair, SubstrateInterface

    from runtime.bridge.registry import BOUNDED_TYPES

    client = SubstrateInterface(url=url, type_registry=BOUNDED_TYPES)
    alice, bob = Keypair.create_from_uri("//Alice"), Keypair.create_from_uri("//Bob")
    out = []
    try:
        for _ in range(n):
            call = client.compose_call("Balances", "transfer_keep_alive", {"dest": bob.ss58_address, "value": 10**18})
            xt = client.create_signed_extrinsic(call=call, keypair=alice, era={"period": 64})
            t0 = time.perf_counter()
            receipt = client.submit_extrinsic(xt, wait_for_inclusion=True)
            out.append(time.perf_counter() - t0)
            if not receipt.block_hash:
                return "no block hash in the receipt"
    except Exception as exc:  # noqa: BLE001 - a benchmark reports a failing client and goes on
        return f"failed: {type(exc).__name__}: {exc}"
    finally:
        client.close()
    return out


def js_transfers(script: str, url: str, n: int) -> list[float] | str:
    path = CLIENTS / script
    if not path.exists() or not (CLIENTS / "node_modules").exists() or shutil.which("node") is None:
        return "not run (tests/clients not installed: cd tests/clients && npm ci)"
    shim = ["--import", str(CLIENTS / "ws-shim.mjs")]  # polkadot-api needs a global WebSocket on Node < 22
    proc = subprocess.run(["node", *shim, str(path), url, str(n)], cwd=CLIENTS, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        return f"failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:] }"
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return [float(v) / 1000 for v in json.loads(lines[-1])["ms"]]


def _reader(args: tuple[str, str, int]) -> tuple[int, float]:
    import websocket  # websocket-client, a substrate-interface dependency

    url, key, n = args
    ws = websocket.create_connection(url)
    t0 = time.perf_counter()
    ok = 0
    for i in range(n):
        ws.send(json.dumps({"jsonrpc": "2.0", "id": i, "method": "state_getStorage", "params": [key]}))
        reply = json.loads(ws.recv())
        ok += "result" in reply
    elapsed = time.perf_counter() - t0
    ws.close()
    return ok, elapsed


def storage_throughput(url: str, clients: int, n: int) -> str:
    from runtime.accounts import DEV_ACCOUNTS
    from runtime.bridge.keys import storage_key
    from runtime.bridge.metadata import load_metadata

    md = load_metadata()
    key = "0x" + storage_key(md, "System", md.pallet("System").storage["Account"], [DEV_ACCOUNTS["Alice"]]).hex()
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        t0 = time.perf_counter()
        results = pool.map(_reader, [(url, key, n)] * clients)
        wall = time.perf_counter() - t0
    ok = sum(r[0] for r in results)
    per_client = [n / r[1] for r in results]
    return f"{ok / wall:8.0f} reads/s total  ({ok}/{clients * n} answered in {wall:.2f} s; per client {min(per_client):.0f}-{max(per_client):.0f} reads/s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=20)
    parser.add_argument("--reads", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--node-root", type=Path, default=ROOT, help="checkout whose node to serve (default: this one)")
    args = parser.parse_args()
    port = free_port()
    proc = start_node(port, args.node_root.resolve())
    url = f"ws://127.0.0.1:{port}"
    try:
        print(f"node {url} from {args.node_root}  (cpus: {os.cpu_count()}, load {os.getloadavg()[0]:.1f})")
        for name, result in (
            ("substrate-interface", si_transfers(url, args.transfers)),
            ("polkadot.js", js_transfers("bench_pjs.mjs", url, args.transfers)),
            ("polkadot-api", js_transfers("bench_papi.mjs", url, args.transfers)),
        ):
            print(f"transfer submit->InBlock  {name:20s} {summary(result) if isinstance(result, list) else result}")
        print(f"state_getStorage, {args.clients} clients  {storage_throughput(url, args.clients, args.reads)}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
