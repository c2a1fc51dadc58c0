"""The bridge between the simulator and the real Tangle runtime.

Everything here is about parity with the chain the simulator models: the real runtime metadata
(:mod:`runtime.bridge.metadata`), whether the simulator's names and types match it
(:mod:`runtime.bridge.conformance`), whether its call logs encode as real extrinsics
(:mod:`runtime.bridge.encoding`), a Substrate-compatible JSON-RPC node fronting the simulator
(:mod:`runtime.bridge.node`), and replaying a call log against a node (:mod:`runtime.bridge.replay`).

The metadata file is data read at run time (``--metadata``, ``TANGLE_METADATA``, or the shared
default), never copied into the repository.
"""
