"""All 21 Services dispatchables (real call indices 0-12, 15-22) plus the extension calls,
composed from the topic modules."""

from __future__ import annotations

from pallets.services.approvals import ApprovalCalls
from pallets.services.blueprints import BlueprintCalls
from pallets.services.heartbeats import HeartbeatCalls
from pallets.services.jobs import JobsCalls
from pallets.services.lifecycle import LifecycleCalls
from pallets.services.limits import InstanceLimits
from pallets.services.membership import MembershipCalls
from pallets.services.modification import ModificationCalls
from pallets.services.registration import RegistrationCalls
from pallets.services.requests import RequestCalls
from pallets.services.slashing import SlashingCalls


class Calls(BlueprintCalls, RegistrationCalls, RequestCalls, ApprovalCalls, LifecycleCalls, JobsCalls, SlashingCalls,
            MembershipCalls, HeartbeatCalls, ModificationCalls, InstanceLimits):
    """blueprints.py 0, 12; registration.py 1-3, 17; requests.py 4, 18; approvals.py 5-6; lifecycle.py 7;
    jobs.py 8-9; slashing.py 10-11; membership.py 15-16; heartbeats.py 19-22;
    extensions: modification.py ``modify_request``, limits.py ``set_instance_limit``."""
