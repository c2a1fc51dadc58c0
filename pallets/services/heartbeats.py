"""Heartbeats: ``heartbeat`` (19) and the governance setters of the defaults (20-22) (spec §5.18-5.19).

An operator signs keccak-256(service_id LE || blueprint_id LE || block LE || metrics) with its
registered key and sends it. The first heartbeat only starts the statistics; later ones must wait
``interval`` blocks, add ``blocks_passed // interval`` expected heartbeats and one received
(missed = expected - received). Interval, threshold and slashing window come from the blueprint's
manager (``get_heartbeat_*``; ``(True, _)`` means "use the pallet default") or the defaults set by
governance. Too many misses queue a 50 % unapplied slash against the caller (no origin check).

Real (quirk ``services.heartbeat_quirks``): the threshold is a *count* of missed heartbeats
(slash when expected > threshold and missed > threshold), a zero interval divides by zero
(the call panics), the counters are never reset so every later heartbeat re-queues the slash.
Intended: the threshold is the minimum percentage of expected heartbeats received (slash when
``received * 100 < threshold * expected``; 0 = never), an interval of 0 means no schedule (no
"too early", nothing expected), and a queued slash resets the counters (a new slash needs new misses).
Quirk ``services.heartbeat_getters_fail_on_success``: a manager that answers a getter makes the
heartbeat fail (the chain cannot decode the answer); the default manager answers.
Membership (quirk ``services.submit_result_any_registered``): real, any operator registered on
the blueprint; intended, only the service's operators (``NotAnOperator``).
Heartbeats are free (``Pays::No`` on chain; here the call is declared fee-free).
"""

from __future__ import annotations

from runtime.errors import RuntimePanic
from runtime.origin import Origin, ensure_root_or_half_council, ensure_signed
from runtime.pallet import call
from runtime.primitives import U8, U64, Bytes, CompactU64, FixedBytes

from pallets.services.constants import HEARTBEAT_SLASH_PERCENT
from pallets.services.crypto import ecdsa_verify, heartbeat_message, is_valid_public_key
from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.types.qos import HeartbeatStats

U32_MAX = 0xFFFFFFFF


def _u32(n: int) -> int:
    """``try_into().unwrap_or_default()``: block numbers above u32::MAX become 0."""
    return n if n <= U32_MAX else 0


class HeartbeatCalls:
    @call(19, pays_fee=False)
    def heartbeat(self, origin: Origin, service_id: CompactU64, blueprint_id: CompactU64, metrics_data: Bytes, signature: FixedBytes(65)) -> None:
        who = ensure_signed(origin)
        s = self.storage
        if len(metrics_data) > self.consts.MaxMetricsDataSize:
            raise Error.MetricsDataTooLarge()
        if (blueprint_id, service_id) not in s.ServiceStatus:
            raise Error.ServiceNotFound()
        service = s.Instances.get(service_id)
        if service is None or service.blueprint != blueprint_id:
            raise Error.ServiceNotFound()
        prefs = s.Operators.get((blueprint_id, who))
        if prefs is None:
            raise Error.NotRegistered()
        if not service.has_operator(who) and not self.ctx.quirk("services.submit_result_any_registered"):
            raise Error.NotAnOperator("only the service's operators send its heartbeats")
        _, blueprint = self._blueprint(blueprint_id)
        if len(metrics_data) > self.consts.MaxFieldsSize:
            raise Error.InvalidHeartbeatData()
        now = self.block_number
        if not is_valid_public_key(prefs.key):
            raise Error.InvalidSignatureBytes()
        if not ecdsa_verify(signature, heartbeat_message(service_id, blueprint_id, now, metrics_data), prefs.key):
            raise Error.HeartbeatSignatureVerificationFailed()
        key = (blueprint_id, service_id, who)
        stats = s.ServiceOperatorHeartbeats.get(key)
        if stats.last_heartbeat_block == 0:
            stats = HeartbeatStats(1, 1, _u32(now), _u32(now))
        else:
            stats = self._update_stats(blueprint, blueprint_id, service_id, who, stats, now)
        s.ServiceHeartbeats.insert((blueprint_id, service_id), (now, metrics_data))
        s.ServiceOperatorHeartbeats.insert(key, stats)
        self.deposit_event(Event.HeartbeatReceived(service_id, blueprint_id, who, now))

    def _update_stats(self, blueprint, blueprint_id: int, service_id: int, who: str, stats: HeartbeatStats, now: int) -> HeartbeatStats:  # type: ignore[no-untyped-def]
        real = self.ctx.quirk("services.heartbeat_quirks")
        manager = self._manager(blueprint)
        use_default, value = self._query_setting(manager, blueprint, "get_heartbeat_interval", blueprint_id, service_id, Error.GetHeartbeatIntervalFailure)
        interval = self.storage.DefaultHeartbeatInterval.value() if use_default else value
        blocks_passed = max(now - stats.last_heartbeat_block, 0)
        if blocks_passed < interval:
            raise Error.HeartbeatTooEarly()
        if interval == 0:
            if real:
                raise RuntimePanic("attempt to divide by zero (heartbeat interval 0; the real runtime panics)")
            return HeartbeatStats(stats.expected_heartbeats, min(stats.received_heartbeats + 1, U32_MAX), stats.last_check_block, _u32(now))
        expected = min(stats.expected_heartbeats + blocks_passed // interval, U32_MAX)
        received = min(stats.received_heartbeats + 1, U32_MAX)
        stats = HeartbeatStats(expected, received, stats.last_check_block, _u32(now))
        use_default, value = self._query_setting(manager, blueprint, "get_heartbeat_threshold", blueprint_id, service_id, Error.GetHeartbeatThresholdFailure)
        threshold = self.storage.DefaultHeartbeatThreshold.value() if use_default else value
        if real:
            breach = expected > threshold and expected - received > threshold
        else:
            breach = threshold > 0 and received * 100 < threshold * expected
        if not breach:
            return stats
        use_default, value = self._query_setting(manager, blueprint, "get_slashing_window", blueprint_id, service_id, Error.GetSlashingWindowFailure)
        window = self.storage.DefaultSlashingWindow.value() if use_default else value
        if now <= stats.last_heartbeat_block + window:  # always true: last_heartbeat_block is now
            self._record_slash(blueprint_id, service_id, who, HEARTBEAT_SLASH_PERCENT)
            if not real:
                stats = HeartbeatStats(0, 0, _u32(now), _u32(now))
        return stats

    @call(20)
    def update_default_heartbeat_threshold(self, origin: Origin, threshold: U8) -> None:
        ensure_root_or_half_council(origin)
        self.storage.DefaultHeartbeatThreshold.put(threshold)
        self.deposit_event(Event.DefaultHeartbeatThresholdUpdated(threshold))

    @call(21)
    def update_default_heartbeat_interval(self, origin: Origin, interval: U64) -> None:
        ensure_root_or_half_council(origin)
        self.storage.DefaultHeartbeatInterval.put(interval)
        self.deposit_event(Event.DefaultHeartbeatIntervalUpdated(interval))

    @call(22)
    def update_default_heartbeat_slashing_window(self, origin: Origin, window: U64) -> None:
        ensure_root_or_half_council(origin)
        self.storage.DefaultSlashingWindow.put(window)
        self.deposit_event(Event.DefaultHeartbeatSlashingWindowUpdated(window))
