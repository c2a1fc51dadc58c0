from runtime.codec import ScaleEnum, struct
from runtime.primitives import U32, AccountId

# ``(AccountId, Ticket)``: the ticket is ``()`` on this runtime (``Consideration = ()``: no deposits)
Ticket = tuple[AccountId, tuple[()]]


@struct
class Unrequested:
    ticket: Ticket
    len: U32


@struct
class Requested:
    maybe_ticket: Ticket | None
    count: U32
    maybe_len: U32 | None


class RequestStatus(ScaleEnum):
    """``pallet_preimage::RequestStatus``: noted by a user and not requested, or requested (``count``
    requests, bytes present once ``maybe_len`` is set)."""

    Unrequested: Unrequested
    Requested: Requested
