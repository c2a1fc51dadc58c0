from runtime.codec import struct
from runtime.primitives import U32, U64, AccountId


@struct
class Votes:
    """An open motion's tally: ``index`` (its motion number), the closing ``threshold``, the voters
    each way, and the block from which it may be closed with abstentions counted."""

    index: U32
    threshold: U32
    ayes: tuple[AccountId, ...]
    nays: tuple[AccountId, ...]
    end: U64
