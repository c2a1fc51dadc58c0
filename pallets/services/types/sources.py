"""``BlueprintSource``: where operators fetch a blueprint's binaries (informational: the pallet
stores it and never interprets it). Real variant and field names; the testnet bounds."""

from __future__ import annotations

from runtime.codec import Bounded, ScaleEnum, struct
from runtime.primitives import BoundedBytes, BoundedText, FixedBytes

MAX_IPFS_HASH = 46
MAX_BINARIES_PER_GADGET = 64
MAX_STRING = 1024  # MaxGitOwnerLength, MaxGitRepoLength, MaxGitTagLength, MaxBinaryNameLength, MaxContainer*Length


class WasmRuntime(ScaleEnum):
    Wasmtime: None
    Wasmer: None


class Architecture(ScaleEnum):
    Wasm: None
    Wasm64: None
    Wasi: None
    Wasi64: None
    Amd: None
    Amd64: None
    Arm: None
    Arm64: None
    RiscV: None
    RiscV64: None


class OperatingSystem(ScaleEnum):
    Unknown: None
    Linux: None
    Windows: None
    MacOS: None
    BSD: None


@struct
class BlueprintBinary:
    arch: Architecture
    os: OperatingSystem
    name: BoundedText(MAX_STRING)
    sha256: FixedBytes(32)


@struct
class GithubFetcher:
    owner: BoundedText(MAX_STRING)
    repo: BoundedText(MAX_STRING)
    tag: BoundedText(MAX_STRING)
    binaries: Bounded(BlueprintBinary, MAX_BINARIES_PER_GADGET)


@struct
class ImageRegistryFetcher:
    registry: BoundedText(MAX_STRING)
    image: BoundedText(MAX_STRING)
    tag: BoundedText(MAX_STRING)


@struct
class TestFetcher:
    """Deprecated on chain (kept so old blueprints decode)."""

    __test__ = False  # not a pytest class
    cargo_package: BoundedText(MAX_STRING)
    cargo_bin: BoundedText(MAX_STRING)
    base_path: BoundedText(MAX_STRING)


class WasmFetcher(ScaleEnum):
    IPFS: BoundedBytes(MAX_IPFS_HASH)
    Github: GithubFetcher


class NativeFetcher(ScaleEnum):
    IPFS: BoundedBytes(MAX_IPFS_HASH)
    Github: GithubFetcher


@struct(name="BlueprintSource::Wasm")
class WasmSource:
    runtime: WasmRuntime
    fetcher: WasmFetcher


class BlueprintSource(ScaleEnum):
    """``Wasm{runtime, fetcher}`` | ``Native(fetcher)`` | ``Container(registry fetcher)`` | ``Testing(...)``."""

    Wasm: WasmSource
    Native: NativeFetcher
    Container: ImageRegistryFetcher
    Testing: TestFetcher
