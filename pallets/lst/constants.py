from dataclasses import dataclass

from runtime.primitives import U32, U8


@dataclass(frozen=True)
class LstConstants:
    """Testnet values (metadata: Lst constants; runtime/testnet/src/lib.rs).

    ``PostUnbondingPoolsWindow`` (4) and ``MaxMetadataLen`` (2 bytes, copied from the mock) are
    configuration the metadata does not list; ``BondingDuration`` comes from staking.
    """

    PalletId: bytes = b"py/tnlst"
    MaxPointsToBalance: U8 = 10
    MaxUnbonding: U32 = 32
    MaxNameLength: U32 = 50
    MaxIconLength: U32 = 500
    PostUnbondingPoolsWindow: U32 = 4
    MaxMetadataLen: U32 = 2
