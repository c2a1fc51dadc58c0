"""A QoS / SLA blueprint: operators run an API for clients and promise availability and honest
usage reports; the manager checks both on chain and the keeper turns breaches into slashes.

The design notes list it under "Exploration"; this is one concrete reading of it:

* **Challenge-response uptime checks.** The keeper (the service owner) calls job 0
  ``challenge(nonce)``; every operator must answer within ``deadline`` blocks with an ECDSA
  signature over ``keccak("sla/challenge" ‖ service ‖ call ‖ nonce)`` made with the key it
  registered. The manager checks the signature against that key (a forged or wrong answer is a
  ``bad-response`` fault; a late one is ``late`` and does not count). Job 1
  ``close_challenge(call_id)``, callable once the deadline has passed, records a
  ``missed-challenge`` fault for every operator without a valid, timely answer.
* **Client-signed receipts cross-checked against operator reports.** For each epoch, every
  operator reports how many requests it served (job 2 ``report_usage(epoch) -> U64``); every client
  signs a receipt per operator, ``keccak("sla/receipt" ‖ service ‖ epoch ‖ operator ‖ count)``,
  which the keeper relays (job 3 ``submit_receipt``; the manager refuses a receipt whose signature is
  not a known client's, ``InvalidJobCallInput``, and counts one receipt per client). Job 4
  ``close_epoch(epoch)`` compares: an operator that claims more than its clients signed for
  (beyond ``tolerance``) is a ``misreport``; one that reports nothing is ``missed-report``.
  Claiming less is not a breach (it only costs the operator).
* **Slashing.** :data:`SLA_POLICY` groups each operator's faults per epoch, 2 % for a missed
  challenge, 20 % for misreporting, 10 % for a forged answer, capped at 25 % per 10 epochs.

Operators' behaviours are the ordinary ones: ``Offline()`` misses everything,
``Intermittent()`` misses some challenges, ``PerJob({2: Deviating(0.5)})`` answers challenges but
inflates its usage by 50 %. The truth (requests actually served) is :func:`traffic`, which both the
honest handler and the clients read.

Run the story: ``python -m blueprints.examples.sla_monitor``.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any, Sequence

from rich.console import Console

from pallets.services.crypto import dev_private_key, ecdsa_verify, keccak_256, public_key, sign
from pallets.services.manager import Revert
from pallets.services.types import Field
from runtime.accounts import account_bytes

from blueprints import (U8, U64, AccountId, Array, Behaviour, Blueprint, BlueprintTestHarness, Deviating, JobContext, Offline, PerJob,
                        ServiceManager, SlashPolicy)
from blueprints.behaviours import Intermittent
from blueprints.harness import tnt_and_usdc
from blueprints.manager import Fault
from blueprints.naming import account_of, name_of
from blueprints.timeline import demo_table, fit_words, heading, print_timeline, tnt

CHALLENGE, CLOSE_CHALLENGE, REPORT, RECEIPT, CLOSE_EPOCH = range(5)
DEADLINE = 3  # blocks to answer a challenge
EPOCH_BLOCKS = 20
CLIENTS = ("Alice", "Ferdie")
MISSED, BAD, MISREPORT, NO_REPORT = "missed-challenge", "bad-response", "misreport", "missed-report"
SLA_POLICY = SlashPolicy(window=EPOCH_BLOCKS, kinds={MISSED: 2, "late": 2, BAD: 10, MISREPORT: 20, NO_REPORT: 5}, cap=25,
                         period=10 * EPOCH_BLOCKS)


def challenge_message(service_id: int, call_id: int, nonce: int) -> bytes:
    return keccak_256(b"sla/challenge" + service_id.to_bytes(8, "little") + call_id.to_bytes(8, "little") + nonce.to_bytes(8, "little"))


def receipt_message(service_id: int, epoch: int, operator: str, count: int) -> bytes:
    return keccak_256(b"sla/receipt" + service_id.to_bytes(8, "little") + epoch.to_bytes(8, "little") + account_bytes(operator)
                      + count.to_bytes(8, "little"))


def traffic(epoch: int, operator: str, client: str) -> int:
    """Requests ``client`` sent to ``operator`` in ``epoch`` and got answered (the ground truth)."""
    digest = hashlib.sha256(f"sla/{epoch}/{operator}/{client}".encode()).digest()
    return 20 + int.from_bytes(digest[:2], "big") % 80


def served(epoch: int, operator: str) -> int:
    return sum(traffic(epoch, operator, c) for c in CLIENTS)


class SlaManager(ServiceManager):
    """Checks challenge answers against the registered keys, counts client receipts, compares them
    with the operators' reports (see the module doc). ``tolerance`` is the fraction by which a
    report may exceed the receipts (clients' receipts can lag)."""

    def __init__(self, clients: Sequence[str] = CLIENTS, deadline: int = DEADLINE, tolerance: float = 0.0) -> None:
        super().__init__(deadline=deadline)
        self.client_keys = {name: public_key(dev_private_key(name)) for name in clients}
        self.tolerance_ppm = int(round(tolerance * 1_000_000))

    # ---- calls
    def on_job_call(self, blueprint_id: int, service_id: int, job: int, call_id: int, args: Sequence[Field]) -> bool | None:
        super().on_job_call(blueprint_id, service_id, job, call_id, args)
        if job == CLOSE_CHALLENGE:
            self._close_challenge(service_id, args[0].value)
        elif job == RECEIPT:
            self._receipt(service_id, args)
        elif job == CLOSE_EPOCH:
            self._close_epoch(service_id, args[0].value)
        elif job == CHALLENGE:
            self.state.set(("challenge", service_id, call_id), args[0].value)
        return None

    def _close_challenge(self, service_id: int, call_id: int) -> None:
        called = self.state.get(("called", service_id, call_id))
        if self.state.get(("challenge", service_id, call_id)) is None or called is None:
            raise Revert(f"call {call_id} is not a challenge of service {service_id}")
        if self.block_number <= called + (self.deadline or 0):
            raise Revert(f"challenge {call_id} is open until block {called + (self.deadline or 0)}")
        if self.state.get(("closed", service_id, call_id)):
            raise Revert(f"challenge {call_id} is already closed")
        self.state.set(("closed", service_id, call_id), True)
        for op in self._operators(service_id):
            if not self.state.get(("answered", service_id, call_id, op)):
                self.record_fault(Fault(service_id, call_id, CHALLENGE, op, MISSED, self.block_number, f"no valid answer to challenge {call_id}"))

    def _receipt(self, service_id: int, args: Sequence[Field]) -> None:
        epoch, operator, count, client = args[0].value, args[1].value, args[2].value, args[3].value
        signature = bytes(f.value for f in args[4].value[1])
        name = name_of(client)
        key = self.client_keys.get(name)
        if key is None:
            raise Revert(f"{name} is not a client of this SLA")
        if not ecdsa_verify(signature, receipt_message(service_id, epoch, operator, count), key):
            raise Revert(f"receipt signature is not {name}'s")
        if self.state.get(("epoch_closed", service_id, epoch)):
            raise Revert(f"epoch {epoch} is closed")
        if self.state.get(("receipt", service_id, epoch, operator, client)) is not None:
            raise Revert(f"{name} already sent a receipt for {name_of(operator)} in epoch {epoch}")
        self.state.set(("receipt", service_id, epoch, operator, client), count)
        total = self.state.get(("receipts", service_id, epoch, operator), 0)
        self.state.set(("receipts", service_id, epoch, operator), total + count)

    def _close_epoch(self, service_id: int, epoch: int) -> None:
        if self.state.get(("epoch_closed", service_id, epoch)):
            raise Revert(f"epoch {epoch} is already closed")
        self.state.set(("epoch_closed", service_id, epoch), True)
        for op in self._operators(service_id):
            reported = self.state.get(("reported", service_id, epoch, op))
            receipts = self.state.get(("receipts", service_id, epoch, op), 0)
            if reported is None:
                self.record_fault(Fault(service_id, epoch, REPORT, op, NO_REPORT, self.block_number, f"no usage report for epoch {epoch}"))
            elif reported * 1_000_000 > receipts * (1_000_000 + self.tolerance_ppm):
                self.record_fault(Fault(service_id, epoch, REPORT, op, MISREPORT, self.block_number,
                                        f"reported {reported} requests in epoch {epoch}, clients signed for {receipts}"))
            else:
                self.record_success(op)

    # ---- results
    def on_job_result(self, blueprint_id: int, service_id: int, job: int, call_id: int, operator: str, preferences: Any,
                      args: Sequence[Field], result: Sequence[Field]) -> bool | None:
        called = self.state.get(("called", service_id, call_id))
        late = called is not None and self.deadline is not None and self.block_number - called > self.deadline
        if job == CHALLENGE:
            if self.state.get(("answered", service_id, call_id, operator)):
                return None  # one valid answer is enough
            if late:
                self.record_fault(Fault(service_id, call_id, job, operator, "late", self.block_number,
                                        f"answered {self.block_number - called} blocks after the challenge (deadline {self.deadline})"))
                return None
            signature = bytes(f.value for f in result[0].value[1])
            nonce = self.state.get(("challenge", service_id, call_id))
            if ecdsa_verify(signature, challenge_message(service_id, call_id, nonce), preferences.key):
                self.state.set(("answered", service_id, call_id, operator), self.block_number)
                self.record_success(operator)
            else:
                self.record_fault(Fault(service_id, call_id, job, operator, BAD, self.block_number, "signature does not match the registered key"))
        elif job == REPORT:
            epoch = args[0].value
            if self.state.get(("epoch_closed", service_id, epoch)) or self.state.get(("reported", service_id, epoch, operator)) is not None:
                return None  # the first report counts; a report after the close is too late to matter
            self.state.set(("reported", service_id, epoch, operator), result[0].value)
        return None

    # ---- reading
    def answered(self, service_id: int, call_id: int, operator: str) -> bool:
        return bool(self.state.get(("answered", service_id, call_id, account_of(operator))))

    def receipts(self, service_id: int, epoch: int, operator: str) -> int:
        return self.state.get(("receipts", service_id, epoch, account_of(operator)), 0)  # type: ignore[no-any-return]

    def reported(self, service_id: int, epoch: int, operator: str) -> int | None:
        return self.state.get(("reported", service_id, epoch, account_of(operator)))


def build_blueprint(deadline: int = DEADLINE, tolerance: float = 0.0) -> Blueprint:
    bp = Blueprint("sla-monitor", description="uptime challenges and client receipts against usage reports", author="tangle-sim",
                   category="example", license="MIT", manager=lambda: SlaManager(deadline=deadline, tolerance=tolerance),
                   security=tnt_and_usdc())

    @bp.job(CHALLENGE)
    def challenge(nonce: U64, ctx: JobContext) -> Array[U8, 65]:
        """Prove liveness: sign the challenge with the key registered for this blueprint."""
        return sign(dev_private_key(ctx.operator_name), challenge_message(ctx.service_id, ctx.call_id, nonce))

    @bp.job(CLOSE_CHALLENGE)
    def close_challenge(call_id: U64) -> None:
        """Keeper: after the deadline, operators without a valid answer are recorded as missing."""

    @bp.job(REPORT)
    def report_usage(epoch: U64, ctx: JobContext) -> U64:
        """How many requests this operator served in ``epoch`` (honest: the truth)."""
        return served(epoch, ctx.operator_name)

    @bp.job(RECEIPT)
    def submit_receipt(epoch: U64, operator: AccountId, count: U64, client: AccountId, signature: Array[U8, 65]) -> None:
        """Keeper relays a client's signed receipt (the manager checks the signature)."""

    @bp.job(CLOSE_EPOCH)
    def close_epoch(epoch: U64) -> None:
        """Keeper: compare each operator's report with its clients' receipts."""

    return bp


def client_receipt(service_id: int, epoch: int, operator: str, client: str) -> tuple[int, str, int, str, bytes]:
    """The arguments of ``submit_receipt`` for one client's receipt (signed with its key)."""
    account = account_of(operator)
    count = traffic(epoch, name_of(account), client)
    sig = sign(dev_private_key(client), receipt_message(service_id, epoch, account, count))
    return (epoch, account, count, client, sig)


class SlaSim:
    """A service run epoch by epoch (aligned windows of ``EPOCH_BLOCKS`` blocks, so a slash policy
    with ``window=EPOCH_BLOCKS`` groups one epoch's faults): ``challenges`` uptime challenges, then
    the usage reports, the clients' receipts and the epoch's close in its last block."""

    def __init__(self, operators: int = 5, behaviours: dict[Any, Behaviour] | None = None, seed: int = 0, challenges: int = 2,
                 tolerance: float = 0.0) -> None:
        self.h = BlueprintTestHarness(build_blueprint(tolerance=tolerance), operators=operators, behaviours=behaviours, seed=seed)
        self.manager: SlaManager = self.h.manager  # type: ignore[assignment]
        self.rng = random.Random(seed)
        self.challenges = challenges
        self.epoch = 0
        self.challenge_calls: list[int] = []

    def challenge(self) -> int:
        """Issue one challenge, wait out the deadline, close it; returns its call id."""
        h = self.h
        out = h.call_job(CHALLENGE, self.rng.getrandbits(64), max_blocks=DEADLINE + 1)
        called = h.rt.block_number - out.blocks
        h.advance(max(0, called + DEADLINE + 1 - h.rt.block_number))
        h.call_job(CLOSE_CHALLENGE, out.call_id)
        self.challenge_calls.append(out.call_id)
        return out.call_id

    def run_epoch(self) -> int:
        """Challenges, then reports, receipts and the close of the current epoch; returns the epoch."""
        h = self.h
        epoch = self.epoch
        start = -(-h.rt.block_number // EPOCH_BLOCKS) * EPOCH_BLOCKS  # epochs are aligned windows of EPOCH_BLOCKS
        h.advance(start - h.rt.block_number)
        for _ in range(self.challenges):
            self.challenge()
        h.call_job(REPORT, epoch, max_blocks=DEADLINE + 1)
        for op in h.in_service:
            for client in CLIENTS:
                h.call_job(RECEIPT, *client_receipt(h.service_id, epoch, op, client))
        h.advance(max(0, start + EPOCH_BLOCKS - 1 - h.rt.block_number))  # close in the epoch's last block
        h.call_job(CLOSE_EPOCH, epoch)
        self.epoch += 1
        return epoch

    def run(self, epochs: int) -> None:
        for _ in range(epochs):
            self.run_epoch()


def run_demo(console: Console | None = None, epochs: int = 3, seed: int = 3) -> SlaSim:
    """Bob and Charlie honest; Dave offline; Operator4 inflates its usage by 50 %; Operator5 is
    intermittent (misses some challenges)."""
    console = console or Console()
    behaviours: dict[Any, Behaviour] = {"Dave": Offline(), "Operator4": PerJob({REPORT: Deviating(0.5)}),
                                        "Operator5": Intermittent(((0.5, 0.2, 0.3), (0.4, 0.3, 0.3), (0.4, 0.2, 0.4)), seed=seed)}
    sim = SlaSim(5, behaviours=behaviours, seed=seed)
    h = sim.h
    heading(console, "SLA monitor: uptime challenges, client-signed receipts against usage reports, slashes for breaches")
    for op in h.operators:
        console.print(f"  {op.name}: {op.behaviour!r}")
    console.print(f"Each epoch ({EPOCH_BLOCKS} blocks): {sim.challenges} challenges answered within {DEADLINE} blocks with the "
                  f"operator's registered key, then a usage report per operator, a signed receipt per client ({', '.join(CLIENTS)}) "
                  "per operator, and the close that compares them.")
    sim.run(epochs)
    table = demo_table("Epochs", ("epoch", "operator", "challenges answered", "reported", "receipts", "faults"))
    for epoch in range(epochs):
        for name in h.in_service:
            window = sim.challenge_calls[epoch * sim.challenges:(epoch + 1) * sim.challenges]
            answered = sum(sim.manager.answered(h.service_id, c, name) for c in window)
            reported = sim.manager.reported(h.service_id, epoch, name)
            kinds = sorted({f.kind for f in sim.manager.faults(operator=name) if _epoch_of(sim, f) == epoch})
            table.add_row(str(epoch), name, f"{answered}/{sim.challenges}", "—" if reported is None else str(reported),
                          str(sim.manager.receipts(h.service_id, epoch, name)), ", ".join(kinds))
    console.print(fit_words(table))
    console.print("[bold]Reporting breaches[/bold] (one slash per operator per epoch; 2 % missed challenge, 20 % misreport, "
                  "5 % missed report, capped at 25 % per 10 epochs)")
    stakes = {op.name: h.operator_stake(op.name) for op in h.operators}
    h.report_faults(policy=SLA_POLICY)
    for order in h.slash_orders:
        console.print(f"  {order.operator}: {order.percent}% for {', '.join(sorted({f.kind for f in order.faults}))} ({order.note})")
    h.advance_eras(1)
    h.advance_rounds(h.slash_defer_rounds())
    table = demo_table("Stake and era rewards", ("operator", "stake before", "stake after", "era rewards"), right=("stake before", "stake after",
                                                                                                                 "era rewards"))
    for op in h.operators:
        table.add_row(op.name, tnt(stakes[op.name]), tnt(h.operator_stake(op.name)), tnt(h.rewards_of(op.name)))
    console.print(fit_words(table))
    print_timeline(console, [r for r in h.timeline(("slash", "reward"))], title="Timeline: slashes and rewards")
    return sim


def _epoch_of(sim: SlaSim, fault: Fault) -> int:
    """The epoch a fault belongs to (challenge faults by their challenge call, report faults by epoch)."""
    if fault.job == REPORT:
        return fault.call_id
    calls = sim.challenge_calls
    return calls.index(fault.call_id) // sim.challenges if fault.call_id in calls else -1


def main(argv: Any = None) -> None:
    run_demo()


if __name__ == "__main__":
    main()
