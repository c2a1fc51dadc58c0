"""Blueprints: ``create_blueprint`` (0) and ``update_master_blueprint_service_manager`` (12).

Blueprints are immutable and permanent. Creation pins ``Latest`` to the current latest master
manager revision, calls the manager's ``on_blueprint_created`` (a refusal is
``BlueprintCreationInterrupted``) and stores ``(owner, blueprint)``. The content is not validated
further on chain (jobs, types, sources and the membership list are taken as given).
"""

from __future__ import annotations

import dataclasses

from runtime.origin import Origin, ensure_root_or_half_council, ensure_signed
from runtime.pallet import call
from runtime.primitives import H160

from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.types.blueprint import MasterBlueprintServiceManagerRevision, ServiceBlueprint


class BlueprintCalls:
    @call(0)
    def create_blueprint(self, origin: Origin, blueprint: ServiceBlueprint) -> None:
        owner = ensure_signed(origin)
        s = self.storage
        blueprint_id = s.NextBlueprintId.value()
        if blueprint.master_manager_revision.name == "Latest":
            pinned = MasterBlueprintServiceManagerRevision.Specific(self.mbsm_latest_revision())
            blueprint = dataclasses.replace(blueprint, master_manager_revision=pinned)
        mbsm = self.mbsm_address_of(blueprint)
        manager = self.manager_at(blueprint.manager.value)
        self._hook(manager, "on_blueprint_created", (blueprint_id, owner, mbsm, blueprint), Error.BlueprintCreationInterrupted)
        s.Blueprints.insert(blueprint_id, (owner, blueprint))
        s.NextBlueprintId.put(blueprint_id + 1)
        self.deposit_event(Event.BlueprintCreated(owner, blueprint_id))

    @call(12)
    def update_master_blueprint_service_manager(self, origin: Origin, address: H160) -> None:
        """Append a master manager revision (Root or more than half of the council)."""
        ensure_root_or_half_council(origin)
        revisions = self.storage.MasterBlueprintServiceManagerRevisions.value()
        if len(revisions) >= self.consts.MaxMasterBlueprintServiceManagerVersions:
            raise Error.MaxMasterBlueprintServiceManagerVersionsExceeded()
        self.storage.MasterBlueprintServiceManagerRevisions.put(revisions + (address,))
        self.deposit_event(Event.MasterBlueprintServiceManagerRevised(len(revisions), address))

    # ------------------------------------------------------------------ helpers
    def _blueprint(self, blueprint_id: int) -> tuple[str, ServiceBlueprint]:
        entry = self.storage.Blueprints.get(blueprint_id)
        if entry is None:
            raise Error.BlueprintNotFound()
        return entry
