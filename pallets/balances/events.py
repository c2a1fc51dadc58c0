from runtime.events import EventSet
from runtime.primitives import AccountId, Balance, Text


class Event(EventSet, pallet="Balances"):
    Endowed = (0, {"account": AccountId, "free_balance": Balance})
    DustLost = (1, {"account": AccountId, "amount": Balance})
    Transfer = (2, {"from": AccountId, "to": AccountId, "amount": Balance})
    BalanceSet = (3, {"who": AccountId, "free": Balance})
    Reserved = (4, {"who": AccountId, "amount": Balance})
    Unreserved = (5, {"who": AccountId, "amount": Balance})
    ReserveRepatriated = (6, {"from": AccountId, "to": AccountId, "amount": Balance, "destination_status": Text})
    Deposit = (7, {"who": AccountId, "amount": Balance})
    Withdraw = (8, {"who": AccountId, "amount": Balance})
    Slashed = (9, {"who": AccountId, "amount": Balance})
    Minted = (10, {"who": AccountId, "amount": Balance})
    Burned = (11, {"who": AccountId, "amount": Balance})
    Upgraded = (14, {"who": AccountId})
    Locked = (17, {"who": AccountId, "amount": Balance})
    Unlocked = (18, {"who": AccountId, "amount": Balance})
    Frozen = (19, {"who": AccountId, "amount": Balance})
    Thawed = (20, {"who": AccountId, "amount": Balance})
    TotalIssuanceForced = (21, {"old": Balance, "new": Balance})
