"""Encoding throughput: simulator call logs as real extrinsics with substrate-interface. Prints numbers.

Run: python benchmarks/bench_encoding.py [--metadata FILE] [--repeat N]

What is timed, per call of the logs (the scenario flows plus one sample of every real call the
simulator implements): compose (``Call`` against the metadata, plus the ``Sudo.sudo`` wrapper for
root calls), sign (signature payload, sr25519 signature, ``Extrinsic`` encoding through
``SubstrateInterface.create_signed_extrinsic``), decode (``Extrinsic`` back) and verify (payload
rebuilt from the bytes, signature checked). Also: compose-only rate per pallet, and the metadata
load time (paid once per process).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime.bridge.encoding import EncodingReport, LogEncoder, encode_runtime  # noqa: E402
from runtime.bridge.metadata import load_metadata  # noqa: E402
from runtime.bridge.samples import scenario_runtimes, sweep_runtime  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metadata", default=None, help="metadata file (default: $TANGLE_METADATA or the shared file)")
    parser.add_argument("--repeat", type=int, default=3, help="encode the logs this many times")
    args = parser.parse_args()

    started = time.perf_counter()
    md = load_metadata(args.metadata)
    print(f"metadata {md.spec_name} {md.spec_version} V{md.version}: loaded in {time.perf_counter() - started:.2f} s")

    runtimes = [rt for _, rt, _ in scenario_runtimes()]
    runtimes.append(sweep_runtime()[0])
    n_calls = sum(len(rt.call_log) for rt in runtimes)
    print(f"logs: {len(runtimes)} runtimes, {n_calls} calls")

    total = EncodingReport()
    wall = time.perf_counter()
    for _ in range(args.repeat):
        for rt in runtimes:
            total.merge(encode_runtime(rt, md))
    wall = time.perf_counter() - wall
    failed = len(total.failures)
    print(f"encoded {total.encoded} extrinsics ({failed} failed, {total.count('skipped')} skipped) in {wall:.2f} s wall")
    print(f"  compose          {total.rate('compose'):10,.0f} calls/s")
    print(f"  compose + sign   {total.rate('compose', 'sign'):10,.0f} signed extrinsics/s")
    print(f"  decode           {total.rate('decode'):10,.0f} extrinsics/s")
    print(f"  check + verify   {total.rate('verify'):10,.0f} extrinsics/s")
    print(f"  end to end       {total.encoded / wall:10,.0f} calls/s (encode, sign, decode, compare, verify)")

    encoder = LogEncoder(md, runtimes[-1].genesis)
    per_pallet: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for record in runtimes[-1].call_log:
        params = record.call_params
        t0 = time.perf_counter()
        encoder.compose(record.call_module, record.call_function, params)
        per_pallet[record.call_module][0] += 1
        per_pallet[record.call_module][1] += time.perf_counter() - t0
    print("compose rate per pallet (one sample per call and variant):")
    for pallet, (n, spent) in sorted(per_pallet.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"  {pallet:22s} {n / spent:10,.0f} calls/s")


if __name__ == "__main__":
    main()
