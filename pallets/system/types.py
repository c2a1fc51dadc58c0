"""frame_system's account record, flattened for speed (the hottest value in the simulator)."""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

from runtime.codec import Codec, ParamError


class AccountInfo(NamedTuple):
    """``AccountInfo<Nonce, AccountData>`` without the nonce (kept apart: see System.Nonces)."""

    consumers: int = 0
    providers: int = 0
    sufficients: int = 0
    free: int = 0
    reserved: int = 0
    frozen: int = 0
    flags: int = 0x8000_0000_0000_0000_0000_0000_0000_0000  # "new logic" flag, as on chain

    def encode(self, nonce: int = 0) -> dict[str, Any]:
        return {
            "nonce": nonce,
            "consumers": self.consumers,
            "providers": self.providers,
            "sufficients": self.sufficients,
            "data": {"free": self.free, "reserved": self.reserved, "frozen": self.frozen, "flags": self.flags},
        }


EMPTY_ACCOUNT = AccountInfo()


class AccountInfoCodec(Codec):
    type_name = "AccountInfo<u32, AccountData<u128>>"

    def decode(self, value: Any, path: str) -> AccountInfo:
        raise ParamError(path, "AccountInfo is not a call argument")

    def encode(self, value: AccountInfo) -> dict[str, Any]:
        return value.encode()


AccountInfoT = Annotated[AccountInfo, AccountInfoCodec()]
