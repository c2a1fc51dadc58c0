"""Blueprint selection management (calls 22-23): add or remove a blueprint id in every ``Fixed``
selection of the caller's delegations. One ``All`` delegation makes the whole call fail
(``NotInFixedMode``). Pending unstake requests keep their own copy. No events (as on chain)."""

from __future__ import annotations

import dataclasses
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import U64

from pallets.multi_asset_delegation.errors import Error
from pallets.primitives.delegation import DelegatorBlueprintSelection


class BlueprintCalls:
    """Calls 22-23."""

    @call(22)
    def add_blueprint_id(self, origin: Origin, blueprint_id: U64) -> None:
        who = ensure_signed(origin)
        meta = self._delegator(who)
        out = []
        for d in meta.delegations:
            sel = d.blueprint_selection
            if sel.name != "Fixed":
                raise Error.NotInFixedMode()
            if blueprint_id in sel.value:
                raise Error.DuplicateBlueprintId()
            if len(sel.value) >= self.consts.MaxDelegatorBlueprints:
                raise Error.MaxBlueprintsExceeded()
            out.append(dataclasses.replace(d, blueprint_selection=DelegatorBlueprintSelection.Fixed(sel.value + (blueprint_id,))))
        self.storage.Delegators.insert(who, dataclasses.replace(meta, delegations=tuple(out)))

    @call(23)
    def remove_blueprint_id(self, origin: Origin, blueprint_id: U64) -> None:
        who = ensure_signed(origin)
        meta = self._delegator(who)
        out = []
        for d in meta.delegations:
            sel = d.blueprint_selection
            if sel.name != "Fixed":
                raise Error.NotInFixedMode()
            if blueprint_id not in sel.value:
                raise Error.BlueprintIdNotFound()
            ids = list(sel.value)
            ids.remove(blueprint_id)
            out.append(dataclasses.replace(d, blueprint_selection=DelegatorBlueprintSelection.Fixed(tuple(ids))))
        self.storage.Delegators.insert(who, dataclasses.replace(meta, delegations=tuple(out)))
