from runtime.events import EventSet
from runtime.primitives import Balance


class Event(EventSet, pallet="Treasury"):
    # the one variant the modelled pallets cause (index as in the testnet metadata)
    Deposit = (4, {"value": Balance})
