"""Rocket Pool's rewards Merkle tree (RPIP-53 merkle-tree-spec), implemented twice on purpose.

Spec (../shared/spec/reference-algorithms.md §6.1):

* one leaf per claimer: ``keccak256(address[20] ‖ network[32] ‖ amount_a[32] ‖ amount_b[32])``
  (116 bytes; integers big-endian; in Rocket Pool the amounts are RPL and ETH);
* leaves sorted ascending (as big-endian 256-bit numbers, i.e. bytewise);
* padded at the end with zero hashes to a power of two;
* each branch is ``keccak256(min(l, r) ‖ max(l, r))`` (a sorted pair), so proofs need no
  left/right flags;
* no claimers: the root is 32 zero bytes (a convention of this port; Rocket Pool never builds an
  empty tree because an interval without rewards cannot be submitted).

Rocket Pool keeps a reference implementation (Treegen, Go) and an independent one (Rockettree,
JavaScript) and compares roots. Here too: :func:`treegen_root` builds levels bottom-up with
pycryptodome's keccak and byte concatenation; :class:`RocketTree` stores the whole tree as a heap
array (node ``i`` has children ``2i+1``, ``2i+2``) with eth_hash's keccak and packs leaves from
hex strings, and also produces and verifies proofs. ``tests/blueprints/test_bp_oracle_watchtower.py``
checks them for parity with a property test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

ZERO = bytes(32)
U256 = 2**256


@dataclass(frozen=True)
class Claimer:
    """One leaf's data: a 20-byte address, the network id and two amounts (uint256 each)."""

    address: bytes
    network: int
    amount_a: int
    amount_b: int

    def __post_init__(self) -> None:
        if len(self.address) != 20:
            raise ValueError("an address is 20 bytes")
        for v in (self.network, self.amount_a, self.amount_b):
            if not (0 <= v < U256):
                raise ValueError("network and amounts are uint256")


# ------------------------------------------------------------------------------- implementation A
def _keccak_a(data: bytes) -> bytes:
    from pallets.services.crypto import keccak_256

    return keccak_256(data)


def treegen_leaf(c: Claimer) -> bytes:
    return _keccak_a(c.address + c.network.to_bytes(32, "big") + c.amount_a.to_bytes(32, "big") + c.amount_b.to_bytes(32, "big"))


def treegen_root(claimers: Sequence[Claimer]) -> bytes:
    """Implementation A: level by level."""
    level = sorted(treegen_leaf(c) for c in claimers)
    if not level:
        return ZERO
    size = 1
    while size < len(level):
        size *= 2
    level += [ZERO] * (size - len(level))
    while len(level) > 1:
        level = [_keccak_a(min(a, b) + max(a, b)) for a, b in zip(level[0::2], level[1::2])]
    return level[0]


# ------------------------------------------------------------------------------- implementation B
def _keccak_b(data: bytes) -> bytes:
    from eth_hash.auto import keccak

    return keccak(data)


def _word(n: int) -> str:
    return format(n, "064x")


class RocketTree:
    """Implementation B: the full tree as a heap array (size ``2^(k+1) - 1``), with proofs."""

    def __init__(self, claimers: Sequence[Claimer]) -> None:
        packed = [bytes.fromhex(c.address.hex() + _word(c.network) + _word(c.amount_a) + _word(c.amount_b)) for c in claimers]
        leaves = [_keccak_b(p) for p in packed]
        leaves.sort(key=lambda h: int.from_bytes(h, "big"))
        self.leaves = leaves
        width = 1 << max(0, (len(leaves) - 1).bit_length()) if leaves else 0
        self.width = width
        self.nodes: list[bytes] = [ZERO] * (2 * width - 1) if width else []
        first_leaf = width - 1
        for i, leaf in enumerate(leaves):
            self.nodes[first_leaf + i] = leaf
        for i in range(first_leaf - 1, -1, -1):
            left, right = self.nodes[2 * i + 1], self.nodes[2 * i + 2]
            self.nodes[i] = _keccak_b(left + right if left <= right else right + left)

    @property
    def root(self) -> bytes:
        return self.nodes[0] if self.nodes else ZERO

    def proof(self, claimer: Claimer) -> list[bytes]:
        """The sibling hashes from ``claimer``'s leaf up to the root."""
        leaf = _keccak_b(bytes.fromhex(claimer.address.hex() + _word(claimer.network) + _word(claimer.amount_a) + _word(claimer.amount_b)))
        i = self.width - 1 + self.leaves.index(leaf)
        out = []
        while i > 0:
            sibling = i + 1 if i % 2 == 1 else i - 1
            out.append(self.nodes[sibling])
            i = (i - 1) // 2
        return out


def verify_proof(leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """What the claim contract checks: fold the sorted pairs up to the root."""
    node = leaf
    for sibling in proof:
        node = _keccak_b(min(node, sibling) + max(node, sibling))
    return node == root


def rockettree_root(claimers: Sequence[Claimer]) -> bytes:
    return RocketTree(claimers).root


IMPLEMENTATIONS = {"treegen": treegen_root, "rockettree": rockettree_root}
