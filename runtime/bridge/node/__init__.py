"""A small Substrate-compatible JSON-RPC node fronting the simulator (``tangle-sim node``).

``chain`` holds blocks, extrinsics and per-block events around a :class:`runtime.runtime.Runtime`;
``storage`` answers storage queries from the simulator's state, encoded per the real metadata;
``events`` encodes ``System.Events``; ``rpc`` maps JSON-RPC methods onto the chain; ``server``
serves them over HTTP and websockets on one port.
"""
