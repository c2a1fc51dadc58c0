"""Slashing windows: ``slash`` (10), ``dispute`` (11), and the deferred application of slashes in
``on_initialize`` (spec §5.11, §5.12, §6.1; delegation_lst_rewards.md §5).

``slash`` by the service's slashing origin (asked of the blueprint's manager) records an
``UnappliedSlash`` under ``UnappliedSlashes[(round, index)]``; ``dispute`` by the dispute origin
discards it (``SlashDiscarded``). Due slashes are applied at most ``MaxSlashesPerBlock`` per block:

* intended: a slash recorded in round ``e`` is due from the first block whose round is
  ``>= e + SlashDeferDuration`` (never earlier; older leftovers stay due), in (round, index) order;
  it is applied through MultiAssetDelegation's ``slash_operator`` (extension ``mad_slashing``;
  without it the runtime's ``SlashManager = ()`` applies and a due slash is only deleted). A slash
  that cannot be applied now stays and is retried; one whose operator has left the delegation
  system can never apply and is dropped (``SlashDropped``). Disputed slashes are gone and never apply.
* real (quirks ``services.slash_applied_only_in_exact_round``, ``services.slash_manager_noop``):
  only round ``current - SlashDeferDuration`` (saturating, so round-0 slashes apply at once while
  the round is <= 7) is looked at, in storage-key order (little-endian index bytes); leftovers of
  older rounds are never processed; applying only deletes.

``SlashQueue`` (extension index) lists each round's slash indices so blocks never scan
``UnappliedSlashes``.
"""

from __future__ import annotations

from runtime.errors import BadOrigin, DispatchError
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import AccountId, CompactPercent, CompactU32, CompactU64

from pallets.primitives.slashing import UnappliedSlash
from pallets.services.errors import Error
from pallets.services.events import Event


class SlashingCalls:
    @call(10)
    def slash(self, origin: Origin, offender: AccountId, service_id: CompactU64, slash_percent: CompactPercent) -> None:
        who = ensure_signed(origin)
        s = self.storage
        service = s.Instances.get(service_id)
        if service is None:
            raise Error.ServiceNotFound()
        _, blueprint = self._blueprint(service.blueprint)
        origin_account = self._query_origin(self._manager(blueprint), "query_slashing_origin", service.blueprint, service_id, Error.NoSlashingOrigin)
        if who != origin_account:
            raise BadOrigin()
        if slash_percent == 0:
            raise Error.InvalidSlashPercentage()
        if not service.has_operator(offender):
            raise Error.OffenderNotOperator()
        if not self._is_operator_active(offender):
            raise Error.OperatorNotActive()
        self._record_slash(service.blueprint, service_id, offender, slash_percent)

    @call(11)
    def dispute(self, origin: Origin, era: CompactU32, index: CompactU32) -> None:
        who = ensure_signed(origin)
        s = self.storage
        slash = s.UnappliedSlashes.get((era, index))
        if slash is None:
            raise Error.UnappliedSlashNotFound()
        if s.Instances.get(slash.service_id) is None and self.ctx.quirk("services.dispute_requires_active_service"):
            raise Error.ServiceNotFound()
        entry = s.Blueprints.get(slash.blueprint_id)
        if entry is None:
            raise Error.BlueprintNotFound()
        dispute_origin = self._query_origin(self._manager(entry[1]), "query_dispute_origin", slash.blueprint_id, slash.service_id, Error.NoDisputeOrigin)
        if who != dispute_origin:
            raise BadOrigin()
        self._delete_slash(era, index)
        self.deposit_event(Event.SlashDiscarded(index, slash.operator, slash.service_id, slash.blueprint_id, slash.slash_percent, era))

    # ------------------------------------------------------------------ who may slash (read-only)
    def slashing_origin_of(self, service_id: int) -> str | None:
        """The account ``slash`` accepts for ``service_id`` right now, as its manager answers (None: no
        such service, or the manager names nobody). For simulations acting as that origin: under
        ``real`` the stock manager names itself, not the blueprint owner."""
        service = self.storage.Instances.get(service_id)
        return None if service is None else self._origin_named("query_slashing_origin", service.blueprint, service_id)

    def dispute_origin_of(self, blueprint_id: int, service_id: int) -> str | None:
        """The account ``dispute`` accepts for a slash of (``blueprint_id``, ``service_id``) (None: none)."""
        return self._origin_named("query_dispute_origin", blueprint_id, service_id)

    def _origin_named(self, query: str, blueprint_id: int, service_id: int) -> str | None:
        entry = self.storage.Blueprints.get(blueprint_id)
        if entry is None:
            return None
        try:
            return self._query_origin(self._manager(entry[1]), query, blueprint_id, service_id, DispatchError)
        except DispatchError:  # the manager names nobody (None, a revert) or cannot answer
            return None

    # ------------------------------------------------------------------ records
    def _record_slash(self, blueprint_id: int, service_id: int, operator: str, percent: int) -> None:
        s = self.storage
        era = self._current_round()
        index = s.NextUnappliedSlashIndex.value()
        s.UnappliedSlashes.insert((era, index), UnappliedSlash(era, blueprint_id, service_id, operator, percent))
        s.NextUnappliedSlashIndex.put((index + 1) & 0xFFFFFFFF)
        s.SlashQueue.insert(era, s.SlashQueue.get(era, ()) + (index,))
        self.deposit_event(Event.UnappliedSlash(index, operator, service_id, blueprint_id, percent, era))

    def _delete_slash(self, era: int, index: int) -> None:
        s = self.storage
        s.UnappliedSlashes.remove((era, index))
        queue = tuple(i for i in s.SlashQueue.get(era, ()) if i != index)
        if queue:
            s.SlashQueue.insert(era, queue)
        else:
            s.SlashQueue.remove(era)

    def _current_round(self) -> int:
        d = self.delegation
        return d.get_current_round() if d is not None else 0

    def pending_slashes(self) -> list[tuple[int, int, UnappliedSlash]]:
        """Every unapplied slash as (era, index, slash), in (era, index) order."""
        s = self.storage
        return [(era, i, s.UnappliedSlashes.get((era, i))) for era in sorted(s.SlashQueue.keys()) for i in sorted(s.SlashQueue.get(era))]

    # ------------------------------------------------------------------ application
    def _apply_slash(self, slash: UnappliedSlash) -> None:
        """``SlashManager::slash_operator``: through MAD (mad_slashing) or the testnet's no-op ``()``."""
        if self.ctx.quirk("services.slash_manager_noop") or not self.ctx.extensions.mad_slashing or self.delegation is None:
            return
        self.delegation.slash_operator(slash)

    def _due_eras(self) -> list[int]:
        """The rounds of queued slashes that fall due now, oldest first: those at least
        ``SlashDeferDuration`` rounds old (real: only the round exactly that old)."""
        s = self.storage
        current = self._current_round()
        defer = self.consts.SlashDeferDuration
        if self.ctx.quirk("services.slash_applied_only_in_exact_round"):
            era = max(current - defer, 0)
            return [era] if s.SlashQueue.get(era, ()) else []
        return sorted(e for e in s.SlashQueue.keys() if e + defer <= current)

    def _slashes_due(self) -> bool:
        """Would ``_process_slashes`` look at any slash in this round?"""
        return bool(self._due_eras())

    def _process_slashes(self) -> None:
        s = self.storage
        if not len(s.SlashQueue):
            return
        budget = self.consts.MaxSlashesPerBlock
        exact = self.ctx.quirk("services.slash_applied_only_in_exact_round")
        due: list[tuple[int, int]] = []
        for era in self._due_eras():
            indices = s.SlashQueue.get(era)
            # the real pallet walks the round's indices in storage-key order (little-endian bytes)
            due += [(era, i) for i in (sorted(indices, key=lambda i: i.to_bytes(4, "little")) if exact else sorted(indices))]
            if len(due) >= budget:
                break
        for era, index in due[:budget]:
            slash = s.UnappliedSlashes.get((era, index))
            if slash is None:
                continue
            if not exact and self._slash_can_never_apply(slash):
                self._delete_slash(era, index)
                self.deposit_event(Event.SlashDropped(index, slash.operator, slash.service_id, slash.blueprint_id, slash.slash_percent, era))
                continue
            try:
                self.ctx.transactional(lambda: self._apply_slash(slash))
            except DispatchError:
                continue  # kept: retried in a later block
            self._delete_slash(era, index)

    def _slash_can_never_apply(self, slash: UnappliedSlash) -> bool:
        if not self.ctx.extensions.mad_slashing or self.ctx.quirk("services.slash_manager_noop") or self.delegation is None:
            return False
        return not self.delegation.is_operator(slash.operator)

    def _terminate_slashes(self, service_id: int) -> None:
        """Real ``terminate``: apply this service's slashes of this and the previous round now, then
        delete every slash of those two rounds (other services' included)."""
        s = self.storage
        current = self._current_round()
        previous = max(current - 1, 0)
        eras = (current, previous)  # in round 0 both are 0: the chain then applies round-0 slashes twice
        for era in eras:
            for index in s.SlashQueue.get(era, ()):
                slash = s.UnappliedSlashes.get((era, index))
                if slash is not None and slash.service_id == service_id:
                    self._apply_slash(slash)
        for era in set(eras):
            for index in s.SlashQueue.get(era, ()):
                s.UnappliedSlashes.remove((era, index))
            s.SlashQueue.remove(era)
