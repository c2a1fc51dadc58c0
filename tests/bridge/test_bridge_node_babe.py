"""The node keeps the served runtime's clock: blocks one BABE slot apart (2 x ``Timestamp.MinimumPeriod``
= ``Babe.ExpectedBlockTime``, 1 s for the testnet's runtime), sessions of ``Babe.EpochDuration`` blocks by
default, and BABE's ``CurrentSlot`` / ``GenesisSlot`` / ``EpochIndex`` served, so that what polkadot.js
derives from them (``derive.session.progress``) agrees with the chain's sessions."""

from __future__ import annotations

from typing import Any

from runtime import GenesisConfig, Runtime
from runtime.bridge.keys import storage_key
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain, node_time_base
from runtime.bridge.node.rpc import RpcHandler, Session


def babe(handler: RpcHandler, metadata: RuntimeMetadata, item: str, at: str | None = None) -> int:
    pallet = metadata.pallet("Babe")
    key = "0x" + storage_key(metadata, pallet.storage_prefix or "", pallet.storage[item], []).hex()
    out = handler.handle(Session(), {"id": 1, "method": "state_getStorage", "params": [key, at]})["result"]
    assert out is not None, f"Babe.{item} is empty"
    return int.from_bytes(bytes.fromhex(out[2:]), "little")


def session_progress(handler: RpcHandler, metadata: RuntimeMetadata, at: str | None = None) -> int:
    """polkadot.js ``derive.session.progress``: currentSlot - (epochIndex x consts.babe.epochDuration + genesisSlot)."""
    epoch = int(metadata.constant_value("Babe", "EpochDuration"))
    return babe(handler, metadata, "CurrentSlot", at) - (babe(handler, metadata, "EpochIndex", at) * epoch + babe(handler, metadata, "GenesisSlot", at))


def test_the_node_time_base_follows_the_served_babe_constants(metadata: RuntimeMetadata) -> None:
    base: dict[str, Any] = node_time_base(metadata)
    assert base["session_length"] == 7200 and base["constants"]["Staking"] == {"MillisecsPerBlock": 1000}
    assert node_time_base(metadata, 10)["session_length"] == 10  # --session-length still wins
    rt = Runtime(GenesisConfig.dev(**base))
    assert rt.pallets["Session"].consts.SessionLength == metadata.constant_value("Babe", "EpochDuration")
    # an era (3 sessions) lasts as long on the staking clock as 3 x 7,200 one-second slots: 6 h, as on chain
    assert 3 * rt.pallets["Session"].consts.SessionLength * rt.pallets["Staking"].consts.MillisecsPerBlock == 6 * 3600 * 1000
    # the governance periods run on the served constants (the simulator's defaults are 6 s blocks)
    for name in ("LaunchPeriod", "VotingPeriod", "FastTrackVotingPeriod", "EnactmentPeriod", "VoteLockingPeriod", "CooloffPeriod"):
        assert getattr(rt.pallets["Democracy"].consts, name) == metadata.constant_value("Democracy", name) == 6 * getattr(Runtime.dev().pallets["Democracy"].consts, name)
    assert rt.pallets["Council"].consts.MotionDuration == 432_000  # CouncilMotionDuration = 5 * DAYS of 1 s blocks


def test_babe_storage_counts_slots_and_epochs_as_the_chain_does(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime(GenesisConfig.dev(**node_time_base(metadata))))
    handler = RpcHandler(chain)
    genesis = chain.head.hash
    assert [babe(handler, metadata, item) for item in ("CurrentSlot", "GenesisSlot", "EpochIndex")] == [0, 0, 0]  # block 0 holds none
    first = chain.seal()
    slot_of = lambda block: int.from_bytes(block.header.digest[0][-8:], "little")  # noqa: E731 - the BABE pre-digest's slot
    assert babe(handler, metadata, "CurrentSlot") == babe(handler, metadata, "GenesisSlot") == slot_of(first) > 0
    assert babe(handler, metadata, "CurrentSlot", genesis) == 0  # the state at block 0 is unchanged
    chain.create_blocks(7199)  # block 7,200: the last of session 0
    assert babe(handler, metadata, "EpochIndex") == chain.rt.pallets["Session"].current_index() == 0
    assert session_progress(handler, metadata) == 7199
    chain.seal()  # block 7,201: pallet_session rotates (BABE's epoch 1 starts at slot genesis + 7,200)
    assert babe(handler, metadata, "EpochIndex") == chain.rt.pallets["Session"].current_index() == 1
    assert babe(handler, metadata, "CurrentSlot") == slot_of(chain.head) == slot_of(first) + 7200
    assert session_progress(handler, metadata) == 0
    assert babe(handler, metadata, "EpochIndex", chain.blocks[7200].hash) == 0  # reads at a block see its own epoch


def test_time_travel_moves_the_current_slot_with_the_timestamp(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev())
    handler = RpcHandler(chain)
    chain.seal()
    when = 1_800_000_000_000
    chain.time_travel(when)
    assert babe(handler, metadata, "CurrentSlot") == when // 1000
    block = chain.seal()
    assert babe(handler, metadata, "CurrentSlot") == block.timestamp // 1000 == when // 1000 + 1
