"""Blueprint authoring in Python: jobs, service managers, simulated operators and a test harness.

::

    from blueprints import Blueprint, BlueprintTestHarness, U64

    bp = Blueprint("incredible-squaring")

    @bp.job(0)
    def square(x: U64) -> U64:
        return x * x

    with BlueprintTestHarness(bp, operators=3) as h:
        assert h.call_job(0, 7).result == 49

Modules (one job each): ``types`` (type hints = FieldTypes), ``values`` (Python <-> Field),
``definition`` (Blueprint, jobs, pricing, compile), ``aggregation`` (quorum/threshold policies),
``manager`` (ServiceManager base for authors), ``behaviours`` (honest/slow/offline/faulty/malicious),
``operators`` (simulated operators driven by chain events), ``harness`` (BlueprintTestHarness),
``timeline`` (readable event timelines for demos), ``slashing`` (slash policies), ``ledger`` (payments and
rewards), ``naming`` / ``amounts`` (what people read), ``examples`` (four example blueprints).
"""

from blueprints.aggregation import Aggregation, Decision, FirstResult, Majority, Mean, Median, Quorum, Threshold, Tolerance
from blueprints.behaviours import Behaviour, Deviating, Equivocating, Faulty, Honest, Intermittent, Malicious, Offline, PerJob, Slow, Stale
from blueprints.definition import TNT, Blueprint, Job, UnknownJob, event_driven, pay_once, require, subscription
from blueprints.harness import BlueprintTestHarness, JobOutcome, RewardsNotRecorded
from blueprints.manager import Fault, ServiceManager
from pallets.services.manager import Revert  # raise it in a hook to refuse (the pallet maps it to the real error)
from blueprints.slashing import SlashPolicy
from blueprints.operators import OperatorNetwork, SimulatedOperator
from blueprints.types import I8, I16, I32, I64, U8, U16, U32, U64, AccountId, Array, JobContext, NoResult
from blueprints.values import SchemaError, ValueMismatch, shape_of

__all__ = [
    "AccountId", "Aggregation", "Array", "SlashPolicy", "Decision", "Deviating", "Equivocating", "Intermittent", "PerJob", "Stale", "Mean", "Median", "Tolerance", "Behaviour", "Blueprint", "BlueprintTestHarness", "Fault", "Faulty", "FirstResult",
    "Honest", "I8", "I16", "I32", "I64", "Job", "JobContext", "JobOutcome", "Majority", "Malicious", "NoResult", "Offline",
    "OperatorNetwork", "Quorum", "SchemaError", "ServiceManager", "SimulatedOperator", "Slow", "TNT", "Threshold", "U8",
    "U16", "U32", "U64", "ValueMismatch", "Revert", "RewardsNotRecorded", "UnknownJob", "event_driven", "pay_once", "require", "shape_of", "subscription",
]
