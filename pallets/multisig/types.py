from runtime.codec import struct
from runtime.primitives import U32, U64, AccountId, Balance


@struct
class Timepoint:
    """Where a multisig operation was opened: block height and extrinsic index."""

    height: U64
    index: U32


@struct
class Multisig:
    when: Timepoint
    deposit: Balance
    depositor: AccountId
    approvals: tuple[AccountId, ...]
