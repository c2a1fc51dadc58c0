"""Storage: every pallet's state in one journaled key/value database.

Why a journal: FRAME makes every dispatchable transactional; if it returns an error, every write
and event it made is discarded. Here each write appends ``(item, key, old value)`` to an undo
journal and each transaction remembers where it started, so rolling back costs only as much as the
failed call wrote (no copies of the state). A bulk credit (``add_each``: an era's million rewards) is one
journal entry holding its keys and their old values. Nested transactions (a pallet trying a sub-operation
whose failure it tolerates) are the same mechanism with an inner mark.

Why immutable values: a snapshot for what-if branches is then a shallow copy of each item's dict
(about half a millisecond per 100,000 entries), and the journal can keep old values by reference.
Stored values must be ints, str, bytes, tuples, frozensets, frozen dataclasses or enums, never
lists, dicts or floats; :meth:`Storage.check_immutable` verifies it in tests.

Why a canonical digest: ``state_root`` must be equal for equal states on any machine and Python
build, so each (key, value) is hashed (blake2b-256) from a canonical text rendering; an integer
value instead multiplies its key's cached hash (``entry_hash``): an era change credits a million
accounts, and a blake2b per credit made its root take longer than the era change itself.
An account record (a NamedTuple of ints) is a linear form in its fields times its key's hash, so a
block's 2,000 account writes cost no blake2b either.

Why an additive digest: the node puts a root in every block header, so a root must cost what the
block changed, not the size of the state. Each item's digest is the sum mod ``ROOT_PRIME`` of its
entries' hashes (a multiset hash: independent of insertion order, and one write changes it by one
subtraction and one addition). A bulk credit of integers folds ``+ 2 n key_hash(k)`` in as
it writes; other writes only note the key with the value the digest still counts for it (and
the latest value, in a small dict: reading it back from a million-entry map was a random memory
access per key); the next ``state_root`` folds the keys written since the last one in (O(keys
written), a key written many times hashed once, for its final value) and hashes the items'
digests in name order. Small integers and all-int records keep no stored hash: theirs is
recomputed from the old value, and a record rewritten with the same type (a transfer changes one
field) changes the digest by ``key_hash * sum 2 c_i (new_i - old_i)`` over its changed fields.
At 10^6 accounts a block's root is then bounded by one random lookup per written key (its cached
key hash), not by the arithmetic or by three lookups. A bulk ``load`` (a genesis of a million
accounts) does not make its keys pending: each loaded entry is kept with the value it replaced and
folds in by its own delta at the next root, so writes after it check a small pending dict, not a
million-entry one (which cost transfers a main-memory access per write until the first root).
Rollback marks the keys it restores, snapshots carry the digests of the data they hold, the keys
and loads not yet folded in (restore takes them back), so both stay consistent. A long tuple of structs renders as the hash of its rendering,
memoised by identity (see ``_render_seq``). An additive hash is not collision-resistant against
an adversary choosing millions of entries (generalised birthday attacks); it only has to tell
simulated states apart.

Why deferred credits: an era credits the same accounts (the same keys tuple) era after era, and
probing, adding and writing each of them was a third of an era change while nothing reads the
credits until a claim or a report. An item credited by ``add_each`` becomes a
:class:`DeferringItem`, which keeps such a repeated batch pending (with its journal entry, so a
rollback drops it) and applies all that is pending the moment anything reads or writes the item,
summed per keys tuple where no rollback can reach them any more: every reader — gets and
iteration, the root, snapshots, restore, rollback, RPC reads, pallet code reading ``_d`` — sees
exactly the entries, order and digest the eager credits would have left.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import operator
from typing import Any, Callable, Iterable, Iterator, Sequence

from runtime.codec import Codec, ParamError, ScaleEnum, codec_of

_blake2b = hashlib.blake2b

_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()
_UNSET: Any = type("Unset", (), {"__repr__": lambda self: "<unset>"})()  # not in Item._latest: read _d
# Item._latest holds at most this many keys: it only saves the next root a lookup per key in a big
# map, and once nothing roots for many blocks (a pure dispatch run: 40 blocks of 1,000 transfers
# among 10^6 accounts leave ~77,000 pending keys) a dict that size is itself a cache miss per write
_MAX_LATEST = 8192
_BULK: Any = type("Bulk", (), {"__repr__": lambda self: "<bulk>"})()  # journal key of an add_many: old holds (amounts, old values)


# --------------------------------------------------------------------------------------------
# canonical rendering for the state root

_PLAIN: frozenset[type] = frozenset({int, str, bytes, bool, type(None)})
_RENDERERS: dict[type, Callable[[Any], str]] = {}
ROOT_PRIME = (1 << 255) - 19  # digests are sums mod this prime (see entry_hash)
_INT_FAST = 1 << 250
_tuple_repr = tuple.__repr__  # "(1, 'a')" for a NamedTuple too (without its field names)


_LONG = 16  # a tuple of structs at least this long renders as the hash of its full rendering ...
_long_renders: dict[int, tuple[tuple, str]] = {}  # ... memoised by identity: id -> (the tuple, its rendering)
_MAX_LONG_RENDERS = 65_536  # then the memo starts over (it only saves time)


def _render_seq(values: tuple) -> str:
    # a tuple (or NamedTuple) of plain values renders in C; anything else element by element
    if _PLAIN.issuperset(map(type, values)):
        return _tuple_repr(values)
    if len(values) < _LONG:
        return "(" + ",".join([canon(x) for x in values]) + ")"
    # An operator's delegation list is stored again, as the same tuple, in every round's AtStake
    # snapshot: rendering it once (by identity) keeps a round change's root O(operators), not
    # O(delegations). The rendering is a pure function of the contents either way.
    memo = _long_renders.get(id(values))
    if memo is not None and memo[0] is values:
        return memo[1]
    text = "#" + _blake2b(("(" + ",".join([canon(x) for x in values]) + ")").encode(), digest_size=32).hexdigest()
    if len(_long_renders) >= _MAX_LONG_RENDERS:
        _long_renders.clear()
    _long_renders[id(values)] = (values, text)
    return text


def _render_enum(v: Any) -> str:
    return v.name + "[" + canon(v.value) + "]"


def _render_set(v: frozenset) -> str:
    return "{" + ",".join(sorted([canon(x) for x in v])) + "}"


def _renderer_for(t: type) -> Callable[[Any], str]:
    """Build (once per type) the function rendering values of type ``t``."""
    if issubclass(t, tuple):
        fn: Callable[[Any], str] = _render_seq
    elif issubclass(t, ScaleEnum):
        fn = _render_enum
    elif issubclass(t, frozenset):
        fn = _render_set
    elif dataclasses.is_dataclass(t):
        if not t.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            raise TypeError(f"{t.__name__} is a mutable dataclass: stored structs must be frozen (@struct)")
        names = tuple(f.name for f in dataclasses.fields(t))
        prefix = t.__name__
        if len(names) == 1:
            only = names[0]
            fn = lambda v: prefix + "(" + canon(getattr(v, only)) + ")"  # noqa: E731
        else:
            getter = operator.attrgetter(*names)
            fn = lambda v: prefix + _render_seq(getter(v))  # noqa: E731
    elif t is float:
        raise TypeError("floats are not allowed in state: use integers in base units")
    elif issubclass(t, int):  # IntEnum and friends
        fn = lambda v: repr(int(v))  # noqa: E731
    else:
        raise TypeError(f"value of type {t.__name__} cannot be stored (not immutable/canonical)")
    _RENDERERS[t] = fn
    return fn


def canon(v: Any) -> str:
    """A deterministic text rendering of an immutable stored value (independent of hash seeds)."""
    t = type(v)
    if t in _PLAIN:
        return repr(v)
    fn = _RENDERERS.get(t)
    if fn is None:
        try:
            fn = _renderer_for(t)
        except TypeError as exc:
            raise TypeError(f"{exc}: {v!r}"[:500]) from None
    return fn(v)


_CHECKERS: dict[type, Callable[[Any], None]] = {}


def check_canonical(v: Any) -> None:
    """Raise ``TypeError`` (with ``canon``'s message) unless ``canon`` accepts ``v``, rendering
    nothing: what the state root refuses, checked at a fraction of its cost (no text, no hash)."""
    t = type(v)
    if t in _PLAIN:
        return
    fn = _CHECKERS.get(t)
    if fn is None:
        try:
            fn = _checker_for(t)
        except TypeError as exc:
            raise TypeError(f"{exc}: {v!r}"[:500]) from None
    fn(v)


def _check_each(values: Any) -> None:
    if not _PLAIN.issuperset(map(type, values)):
        for x in values:
            check_canonical(x)


def _checker_for(t: type) -> Callable[[Any], None]:
    """Build (once per type) the check of values of type ``t``; accepts exactly what ``_renderer_for`` does."""
    _renderer_for(t)  # raises the same TypeError for a type canon refuses
    if issubclass(t, (tuple, frozenset)):
        fn: Callable[[Any], None] = _check_each
    elif issubclass(t, ScaleEnum):
        fn = lambda v: check_canonical(v.value)  # noqa: E731
    elif dataclasses.is_dataclass(t):
        getter = operator.attrgetter(*(f.name for f in dataclasses.fields(t)))
        fn = (lambda v: check_canonical(getter(v))) if len(dataclasses.fields(t)) == 1 else (lambda v: _check_each(getter(v)))  # noqa: E731
    else:  # int subclasses: rendered as int
        fn = lambda v: None  # noqa: E731
    _CHECKERS[t] = fn
    return fn


_KEY_HASHES: dict[Any, int] = {}  # str key -> key_hash(key): accounts are credited era after era
_MAX_KEY_HASHES = 4_000_000  # then the cache starts over (it only saves time)


def key_hash(key: Any) -> int:
    """A key's own hash (a separate blake2b domain), nonzero mod ``ROOT_PRIME``: the factor of its
    integer-valued entries."""
    if type(key) is str:
        h = _KEY_HASHES.get(key)
        if h is not None:
            return h
    rk = repr(key) if type(key) in _PLAIN else canon(key)
    h = int.from_bytes(_blake2b(rk.encode(), digest_size=32, person=b"tangle-sim key").digest(), "little") % ROOT_PRIME or 1
    if type(key) is str:
        if len(_KEY_HASHES) >= _MAX_KEY_HASHES:
            _KEY_HASHES.clear()
        _KEY_HASHES[key] = h
    return h


_INT_ONLY: frozenset[type] = frozenset({int})
_mul = operator.mul
# NamedTuple type -> (C + sum of c_i, (2 c_i for each field i)) if all its fields are declared int, else None
_INT_RECORDS: dict[type, tuple[int, tuple[int, ...]] | None] = {}


def _names_int(annotation: Any) -> bool:
    """``int`` as a type, a string or a ForwardRef (what NamedTuple keeps under postponed annotations)."""
    return annotation is int or annotation == "int" or getattr(annotation, "__forward_arg__", None) == "int"


def _int_record_coefficients(t: type) -> tuple[int, tuple[int, ...]] | None:
    """The constants of ``entry_hash``'s integer-record case for the NamedTuple type ``t`` (None if
    ``t`` is not one with only ``int`` fields). ``C`` and the ``c_i`` are blake2b outputs in their own
    domain, from the number of fields and the field's position (the text rendering of a NamedTuple
    does not name its class or fields either)."""
    co = None
    fields = getattr(t, "_fields", None)
    if issubclass(t, tuple) and fields and all(_names_int(getattr(t, "__annotations__", {}).get(f)) for f in fields):
        n = len(fields)

        def const(label: str) -> int:
            return int.from_bytes(_blake2b(label.encode(), digest_size=32, person=b"tangle-sim rec").digest(), "little") % ROOT_PRIME

        cs = [const(f"{n}/{i}") for i in range(n)]
        co = ((const(f"{n}") + sum(cs)) % ROOT_PRIME, tuple(2 * c for c in cs))
    _INT_RECORDS[t] = co
    return co


class _ByIdentity:
    """A memo keyed by the identity of a tuple (held in the entry, so its id cannot be reused while
    the entry lives), with an optional second tuple that must be the same object too. An operator's
    delegators are credited era after era as the same tuple, and an unchanged era split hands
    storage the same shares tuple again. It starts over at ``_MAX_IDENTITY_MEMO`` entries (it only
    saves time)."""

    __slots__ = ("_d",)

    def __init__(self) -> None:
        self._d: dict[int, tuple[Any, Any, Any]] = {}

    def get(self, keys: tuple, also: Any = None) -> Any:
        """The value stored for ``keys`` (and ``also``), or ``_MISSING``."""
        hit = self._d.get(id(keys))
        return hit[2] if hit is not None and hit[0] is keys and hit[1] is also else _MISSING

    def put(self, keys: tuple, value: Any, also: Any = None) -> None:
        if len(self._d) >= _MAX_IDENTITY_MEMO:
            self._d.clear()
        self._d[id(keys)] = (keys, also, value)


_MAX_IDENTITY_MEMO = 100_000  # entries per memo
_key_hash_memo = _ByIdentity()  # keys tuple -> its key hashes
_distinct_memo = _ByIdentity()  # keys tuple -> no key repeats
_dot_memo = _ByIdentity()  # keys tuple, its last amounts tuple -> sum hk * n (one entry per keys tuple: older shares are let go)


def _key_hashes(keys: Sequence[Any]) -> Sequence[int]:
    """``key_hash`` of each key; for a tuple, memoised by identity (a random lookup per key in the
    big key-hash cache was a third of crediting a million delegators); short ones are not worth it."""
    memoise = type(keys) is tuple and len(keys) >= 8
    if memoise:
        hks = _key_hash_memo.get(keys)  # type: ignore[arg-type]
        if hks is not _MISSING:
            return hks  # type: ignore[no-any-return]
    # one C pass over the cache (a miss, or a key that is not a str, gives None: hashed here)
    hks: Sequence[int] = list(map(_KEY_HASHES.get, keys))
    if None in hks:
        hks = [key_hash(k) if h is None or type(k) is not str else h for k, h in zip(keys, hks)]
    if memoise:
        _key_hash_memo.put(keys, hks)  # type: ignore[arg-type]
    return hks


def _distinct(keys: Sequence[Any]) -> bool:
    """No key occurs twice in ``keys``; for a tuple, memoised by identity."""
    if type(keys) is not tuple:
        return len(set(keys)) == len(keys)
    answer = _distinct_memo.get(keys)
    if answer is _MISSING:
        answer = len(set(keys)) == len(keys)
        _distinct_memo.put(keys, answer)
    return answer  # type: ignore[no-any-return]


def _dot(keys: Sequence[Any], hks: Sequence[int], amounts: Sequence[int]) -> int:
    """``sum(hk * n)`` over the key hashes and amounts; memoised by the identity of both tuples."""
    memoise = type(keys) is tuple and type(amounts) is tuple and len(keys) >= 8
    if memoise:
        total = _dot_memo.get(keys, amounts)  # type: ignore[arg-type]
        if total is not _MISSING:
            return total  # type: ignore[no-any-return]
    total = sum(map(operator.mul, hks, amounts))
    if memoise:
        _dot_memo.put(keys, total, amounts)  # type: ignore[arg-type]
    return total


def entry_hash(key: Any, value: Any) -> int:
    """The hash of one (key, value) entry, mod ``ROOT_PRIME``; an item's digest is the sum of its
    entries' hashes. An integer value ``0 <= v < 2**250`` (balances, counters: most writes of an
    era change) costs no new blake2b: ``key_hash(key) * (2v + 1)``; any other value hashes the
    canonical text ``key=value`` (``canon`` inlined: this runs once per written key per root).
    Why that still tells states apart: with the key hashes and the text hashes taken as random, two
    different contents' digests differ by a nonzero linear form in them over the prime field (the
    odd factors ``2v + 1`` differ for different ``v``), so they collide with probability 1/ROOT_PRIME.
    A NamedTuple whose fields are all declared ``int`` (the account record ``System.Account``, written
    twice per transfer; its fields are u32/u128) costs no blake2b either:
    ``key_hash(key) * (C + sum c_i (2 v_i + 1))`` with constants ``C``, ``c_i`` per field count
    (``_int_record_coefficients``). As a polynomial in the key hashes and constants, a digest has the
    coefficient ``2 v_i + 1`` on ``key_hash(k) * c_i`` and 1 on ``key_hash(k) * C``, so two different
    contents still differ by a nonzero polynomial (now of degree 2: collision probability at most
    2/ROOT_PRIME) unless some field differs by a multiple of ROOT_PRIME (not for integers below 2**250).
    A record holding anything but ints (a bug elsewhere) falls back to the text hash."""
    t = type(value)
    if t is int and 0 <= value < _INT_FAST:
        return key_hash(key) * (2 * value + 1) % ROOT_PRIME
    co = _INT_RECORDS.get(t, _MISSING)
    if co is _MISSING:
        co = _int_record_coefficients(t)
    if co is not None and _INT_ONLY.issuperset(map(type, value)):
        return key_hash(key) * (co[0] + sum(map(_mul, co[1], value))) % ROOT_PRIME
    rk = repr(key) if type(key) in _PLAIN else canon(key)
    if t in _PLAIN:
        rv = repr(value)
    else:
        fn = _RENDERERS.get(t)
        rv = canon(value) if fn is None else fn(value)
    return int.from_bytes(_blake2b(f"{rk}={rv}".encode(), digest_size=32).digest(), "little") % ROOT_PRIME


# --------------------------------------------------------------------------------------------
# declarations (class attributes of a pallet's Storage class)


class ItemDecl:
    """What a pallet declares: name, key and value types, default, and whether it is chain storage."""

    def __init__(self, keys: tuple[Any, ...], value: Any, default: Any, *, in_root: bool, extension: bool, hashers: tuple[str, ...] | None) -> None:
        self.keys = keys
        self.value = value
        self.default = default
        self.in_root = in_root
        self.extension = extension
        self.hashers = hashers
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name


def StorageValue(value: Any, *, default: Any = _MISSING, in_root: bool = True, extension: bool = False) -> Any:
    """``StorageValue<_, V, ValueQuery|OptionQuery>``; without ``default`` a missing value reads as None."""
    return ItemDecl((), value, default, in_root=in_root, extension=extension, hashers=None)


def StorageMap(key: Any, value: Any, *, default: Any = _MISSING, in_root: bool = True, extension: bool = False, hasher: str | None = None) -> Any:
    """``StorageMap<_, H, K, V>``."""
    return ItemDecl((key,), value, default, in_root=in_root, extension=extension, hashers=(hasher,) if hasher else None)


def StorageDoubleMap(key1: Any, key2: Any, value: Any, *, default: Any = _MISSING, in_root: bool = True, extension: bool = False) -> Any:
    """``StorageDoubleMap``: keys are ``(k1, k2)`` tuples."""
    return ItemDecl((key1, key2), value, default, in_root=in_root, extension=extension, hashers=None)


def StorageNMap(keys: tuple[Any, ...], value: Any, *, default: Any = _MISSING, in_root: bool = True, extension: bool = False) -> Any:
    """``StorageNMap``: keys are tuples of ``len(keys)``."""
    return ItemDecl(tuple(keys), value, default, in_root=in_root, extension=extension, hashers=None)


# --------------------------------------------------------------------------------------------
# bound items


class Item:
    """A storage item bound to a database. ``_d`` maps keys (tuples for multi-key maps) to values."""

    __slots__ = ("_d", "_j", "_db", "default", "prefix", "name", "decl", "_sum", "_h", "_dirty", "_latest", "_loads", "_key_codecs", "_value_codec", "n_keys", "_lazy")

    def __init__(self, db: "Storage", prefix: str, decl: ItemDecl) -> None:
        self._d: dict[Any, Any] = {}
        self._j = db.journal
        self._db = db
        self.default = None if decl.default is _MISSING else decl.default
        self.prefix = prefix
        self.name = decl.name
        self.decl = decl
        # the digest: the sum of the entries' hashes as they were at the last flush; the hash then of
        # each entry whose value is neither a small integer nor an all-int record (those hashes are
        # recomputed from the value for the price of a few multiplications, so a million accounts
        # keep no stored hash); and each key written since (None: an item outside the root, never
        # digested) with the value the digest still counts for it (_MISSING: none)
        self._sum = 0
        self._h: dict[Any, int] = {}
        self._dirty: dict[Any, Any] | None = {} if decl.in_root else None
        # the value insert/remove last wrote for a pending key (_MISSING: removed), so the next root
        # reads it from this small dict instead of a random lookup in a million-entry _d; a key
        # absent here is read from _d (bulk writes, rollbacks and restores just drop what they touch)
        self._latest: dict[Any, Any] = {}
        # bulk loads not folded yet: (keys, the values they replaced, the values loaded) per load()
        self._loads: list[tuple[list[Any], list[Any], list[Any]]] = []
        self.n_keys = len(decl.keys)
        self._lazy: _Deferrals | None = None  # see DeferringItem (set when it becomes one)
        self._key_codecs: tuple[Codec, ...] | None = None
        self._value_codec: Codec | None = None

    # --- reads
    def get(self, key: Any = None, default: Any = _MISSING) -> Any:
        return self._d.get(key, self.default if default is _MISSING else default)

    def contains(self, key: Any = None) -> bool:
        return key in self._d

    __contains__ = contains

    def __len__(self) -> int:
        return len(self._d)

    def items(self) -> Iterator[tuple[Any, Any]]:
        """All (key, value) pairs in insertion order (a list, so the caller may write while looping)."""
        return iter(list(self._d.items()))

    def keys(self) -> list[Any]:
        return list(self._d)

    def values(self) -> list[Any]:
        return list(self._d.values())

    def iter_prefix(self, first: Any) -> list[tuple[Any, Any]]:
        """Entries of a multi-key map whose first key is ``first``: ``[(rest_of_key, value)]``."""
        n = self.n_keys
        if n == 2:
            return [(k[1], v) for k, v in self._d.items() if k[0] == first]
        return [(k[1:], v) for k, v in self._d.items() if k[0] == first]

    # --- writes (journaled)
    def insert(self, key: Any, value: Any) -> None:
        d = self._d
        old = d.get(key, _MISSING)
        self._j.append((self, key, old))
        d[key] = value
        dirty = self._dirty
        if dirty is not None:
            if key not in dirty:
                if not dirty:
                    self._db.dirty_items.add(self)
                dirty[key] = old
            latest = self._latest
            if len(latest) < _MAX_LATEST:
                latest[key] = value
            else:  # full: no new keys, and a key already in it must not keep a stale value
                latest.pop(key, None)
        self._db.root_cache = None

    def insert_each(self, keys: Sequence[Any], values: Sequence[Any]) -> None:
        """``insert(k, v)`` for each ``k``, ``v`` of the parallel ``keys`` and ``values``, in order,
        as one journal entry (a slash rewrites the records of an operator's hundred delegators: the
        per-call overhead of insert was a tenth of it). A repeated key ends with its last value."""
        if len(keys) != len(values):
            raise ValueError(f"insert_each on {self.prefix}.{self.name}: {len(keys)} keys but {len(values)} values")
        if not keys:
            return
        d = self._d
        olds = list(map(d.get, keys, itertools.repeat(_MISSING)))  # each key's value before the batch (undo restores latest first)
        dirty = self._dirty
        if dirty is not None:
            if not dirty:
                self._db.dirty_items.add(self)
            setdefault = dirty.setdefault  # a key's first old value is the one the digest counts
            for key, old in zip(keys, olds):
                setdefault(key, old)
            latest = self._latest
            if len(latest) + len(keys) <= _MAX_LATEST:
                latest.update(zip(keys, values))
            elif latest:
                for key in keys:
                    latest.pop(key, None)
        d.update(zip(keys, values))
        self._j.append((self, _BULK, (keys, olds)))
        self._db.root_cache = None

    def remove(self, key: Any) -> Any:
        """Delete ``key`` and return its old value (or None)."""
        d = self._d
        old = d.pop(key, _MISSING)
        if old is _MISSING:
            return None
        self._j.append((self, key, old))
        dirty = self._dirty
        if dirty is not None:
            if key not in dirty:
                if not dirty:
                    self._db.dirty_items.add(self)
                dirty[key] = old
            latest = self._latest
            if len(latest) < _MAX_LATEST:
                latest[key] = _MISSING
            else:
                latest.pop(key, None)
        self._db.root_cache = None
        return old

    take = remove

    def add_many(self, amounts: Iterable[tuple[Any, int]]) -> None:
        """``insert(k, get(k, 0) + n)`` for each (k, n): :meth:`add_each` on pairs."""
        pairs = list(amounts)
        self.add_each([k for k, _ in pairs], [n for _, n in pairs])

    def add_each(self, keys: Sequence[Any], amounts: Sequence[int]) -> None:
        """``insert(k, get(k, 0) + n)`` for each ``k``, ``n`` of the parallel ``keys`` and
        ``amounts``, as one journal entry (an era credits a million accounts: a journal tuple per
        credit, a (key, amount) pair per credit and the per-call overhead of insert were most of it).

        The common batch (distinct keys, every amount and every present value a small non-negative
        int, no key pending for the next root) is written in whole-batch passes run by the
        interpreter's C loops (``map``, ``dict.update``, ``sum``): the per-key loop was most of an
        era's credits. Any other batch (and one outside the root) takes :meth:`_add_each_loop`.
        Both fold an integer entry into the digest as they write it, ``+ 2 n key_hash(k)``
        (``+ (2 n + 1) key_hash(k)`` if new), so the next root has nothing to do for it.

        A rooted item becomes a :class:`DeferringItem` at its first ``add_each``: a batch credited
        again (the same keys tuple, whose values are known to be small integers) is then kept
        pending and applied when anything reads or writes the item (see there)."""
        if self._dirty is not None:  # (a caller may hold this bound method: it keeps landing here)
            if self._lazy is None:
                self._lazy = _Deferrals()
                self.__class__ = DeferringItem
                self._db.deferring.append(self)
            return DeferringItem.add_each(self, keys, amounts)  # type: ignore[arg-type]
        payload = self._credit(keys, amounts)[0]
        if payload is not None:
            self._j.append((self, _BULK, payload))
            self._db.root_cache = None
        return None

    def _settle(self) -> None:
        """Apply the credits kept pending (a :class:`DeferringItem`'s); nothing for a plain item."""

    def _credit(self, keys: Sequence[Any], amounts: Sequence[int], dot: int | None = None) -> tuple[tuple[Sequence[Any], list[Any] | None] | None, bool, int]:
        """:meth:`add_each`'s writes and digest fold, not journaled: returns (the journal payload
        for :meth:`undo_bulk`, whether the whole-batch path took it, the largest entry the
        whole-batch path left (0 otherwise)). Reads and writes the entries' dict directly (a
        :class:`DeferringItem`'s ``_d`` property would count as a touch). ``dot``, if given, is
        ``sum(key_hash(k) * n)`` over the batch, known to the caller."""
        dirty = self._dirty
        count = len(keys)
        if dirty is None or count < 2 or len(amounts) != count or not _INT_ONLY.issuperset(map(type, amounts)) or min(amounts) < 0:
            return self._credit_loop(keys, amounts), False, 0
        top = max(amounts)
        if (dirty and not dirty.keys().isdisjoint(keys)) or top >= _INT_FAST:
            return self._credit_loop(keys, amounts), False, 0
        hks = _key_hashes(keys)  # before any write: a key that cannot be hashed raises with nothing changed
        d = _raw_d(self)
        # one probe per key: setdefault writes a new key's amount (its final value) and returns an
        # existing key's value; the keys it added are the last ``added`` in the map's order
        before = len(d)
        olds: list[Any] = list(map(d.setdefault, keys, amounts))
        added = len(d) - before
        if added == count:  # every key new (an era's first credits), so no key repeats: all written already
            # each new entry counts hk (2 n + 1)
            self._sum = (self._sum + 2 * (_dot(keys, hks, amounts) if dot is None else dot) + sum(hks)) % ROOT_PRIME
            return (keys, None), True, top  # None: every key was absent
        fresh = added > 0
        if not _distinct(keys):  # a repeated key: setdefault gave its second occurrence the first's amount
            if fresh:
                for k in set(itertools.islice(reversed(d.keys()), added)):
                    del d[k]
            return self._credit_loop(keys, amounts), False, 0
        if fresh:  # some new (already holding their final value): None marks them in olds
            new_keys = set(itertools.islice(reversed(d.keys()), added))
            olds = [None if k in new_keys else o for k, o in zip(keys, olds)]  # an integer item never stores None
        present = [o for o in olds if o is not None] if fresh else olds
        new = None
        if not present or (_INT_ONLY.issuperset(map(type, present)) and min(present) >= 0):
            new = [a if o is None else o + a for o, a in zip(olds, amounts)] if fresh else list(map(operator.add, olds, amounts))
        top = -1 if new is None else max(new)
        if new is None or top >= _INT_FAST:  # not all small integers: key by key, from the state before
            if fresh:
                for k in new_keys:
                    del d[k]
            return self._credit_loop(keys, amounts), False, 0
        # each entry's share moves from hk (2 old + 1) to hk (2 new + 1): + 2 hk n; a new entry + hk (2 n + 1)
        folded = 2 * (_dot(keys, hks, amounts) if dot is None else dot)
        if fresh:
            folded += sum([hk for hk, o in zip(hks, olds) if o is None])
            olds = [_MISSING if o is None else o for o in olds]
        d.update(zip(keys, new))
        self._sum = (self._sum + folded) % ROOT_PRIME
        return (keys, olds), True, top

    def _add_each_loop(self, keys: Sequence[Any], amounts: Sequence[int]) -> None:
        """:meth:`add_each` key by key (the tests' reference), journaled; never deferred, and a
        touch of a :class:`DeferringItem` (what it writes is not checked small)."""
        self._settle()
        if self._lazy is not None:
            self._lazy.forget()
        payload = self._credit_loop(keys, amounts)
        if payload is not None:
            self._j.append((self, _BULK, payload))
            self._db.root_cache = None

    def _credit_loop(self, keys: Sequence[Any], amounts: Sequence[int]) -> tuple[Sequence[Any], list[Any]] | None:
        """:meth:`_credit` key by key: repeated keys, keys pending for the next root, values out of
        the integer fast range, non-integer amounts, items outside the root. The key hashes of a
        ``keys`` tuple are memoised by identity. Returns the journal payload (None: nothing written)."""
        if len(keys) != len(amounts):
            raise ValueError(f"add_each on {self.prefix}.{self.name}: {len(keys)} keys but {len(amounts)} amounts")
        if not keys:
            return None
        d = _raw_d(self)
        self._latest.clear()
        olds: list[Any] = []  # each entry's value before its write (_MISSING: absent), for rollback
        push = olds.append
        dirty = self._dirty
        if dirty is None:  # outside the root: nothing to fold
            for key, n in zip(keys, amounts):
                old = d.get(key, _MISSING)
                push(old)
                d[key] = n if old is _MISSING else old + n
        elif _INT_ONLY.issuperset(map(type, amounts)) and min(amounts) >= 0 and max(amounts) < _INT_FAST:
            # the era's credits: every amount a small non-negative int, checked once for the batch;
            # the fold is 2 * sum(hk * n) + sum(hk of the new keys), doubled once at the end
            fast = _INT_FAST
            was_clean = not dirty
            hn = fresh = 0
            for key, n, hk in zip(keys, amounts, _key_hashes(keys)):
                old = d.get(key, _MISSING)
                push(old)
                if old is _MISSING:
                    d[key] = n
                    if key not in dirty:
                        hn += hk * n
                        fresh += hk
                else:
                    new = d[key] = old + n
                    if key in dirty:
                        continue
                    if type(old) is int and 0 <= old and new < fast:
                        hn += hk * n
                    else:
                        dirty[key] = old
            if hn or fresh:
                self._sum = (self._sum + 2 * hn + fresh) % ROOT_PRIME
            if was_clean and dirty:
                self._db.dirty_items.add(self)
        else:
            fast = _INT_FAST
            was_clean = not dirty
            folded = 0
            for key, n, hk in zip(keys, amounts, _key_hashes(keys)):
                old = d.get(key, _MISSING)
                push(old)
                if old is _MISSING:
                    new = d[key] = n
                    if key in dirty:
                        continue
                    if type(n) is int and 0 <= n < fast:
                        folded += hk * (2 * n + 1)
                        continue
                else:
                    new = d[key] = old + n
                    if key in dirty:
                        continue
                    if type(old) is int and type(new) is int and 0 <= old < fast and 0 <= new < fast:
                        folded += hk * (2 * n)
                        continue
                # not an integer entry: the next root rehashes it
                dirty[key] = old
            if folded:
                self._sum = (self._sum + folded) % ROOT_PRIME
            if was_clean and dirty:
                self._db.dirty_items.add(self)
        return keys, olds

    def undo_bulk(self, payload: "tuple[Sequence[Any], list[Any] | None] | _Deferred") -> None:
        """Undo an ``add_each`` (its journal entry): every key back to its old value, latest first.
        A deferred credit still pending is just dropped (rollback is last-in first-out, so it is
        the newest pending one); one applied since holds the old values its application saw."""
        if type(payload) is _Deferred:
            lazy = self._lazy
            if payload.olds is _PENDING_CREDIT:
                if lazy is None or not lazy.pending or lazy.pending[-1] is not payload:
                    raise RuntimeError(f"{self.prefix}.{self.name}: a deferred credit undone out of order")
                lazy.pending.pop()
                lazy.size -= len(payload.keys)
                if payload.fold is not None:  # a root counted it already
                    lazy.folded -= payload.fold
                    _SUM_SLOT.__set__(self, (_SUM_SLOT.__get__(self) - payload.fold) % ROOT_PRIME)
                return
            if payload.olds is _SETTLED:
                raise RuntimeError(f"{self.prefix}.{self.name}: a deferred credit applied as committed was undone")
            payload = (payload.keys, payload.olds)
        keys, olds = payload
        d = self._d
        self._latest.clear()
        mark = self.mark_dirty
        if olds is None:  # every key was absent
            for i in range(len(keys) - 1, -1, -1):
                key = keys[i]
                mark(key)
                d.pop(key, None)
            return
        for i in range(len(olds) - 1, -1, -1):
            key = keys[i]
            mark(key)  # its digest share is that of the value now in d
            old = olds[i]
            if old is _MISSING:
                d.pop(key, None)
            else:
                d[key] = old

    def clear_prefix(self, first: Any) -> int:
        keys = [k for k in self._d if k[0] == first]
        for k in keys:
            self.remove(k)
        return len(keys)

    def clear(self) -> None:
        for k in list(self._d):
            self.remove(k)

    # --- StorageValue sugar (key None)
    def put(self, value: Any) -> None:
        self.insert(None, value)

    def kill(self) -> None:
        self.remove(None)

    def value(self) -> Any:
        return self._d.get(None, self.default)

    # --- codecs for queries
    def key_codecs(self) -> tuple[Codec, ...]:
        if self._key_codecs is None:
            self._key_codecs = tuple(codec_of(k, f"{self.prefix}.{self.name} key") for k in self.decl.keys)
        return self._key_codecs

    def value_codec(self) -> Codec:
        if self._value_codec is None:
            self._value_codec = codec_of(self.decl.value, f"{self.prefix}.{self.name}")
        return self._value_codec

    def load(self, entries: Iterable[tuple[Any, Any]]) -> int:
        """Bulk-insert entries outside any transaction (genesis-sized setups, benchmarks): not
        journaled, so not undoable, but the digest follows. Returns how many were written.

        The loaded entries are not made pending keys: each is kept with the value it replaced and
        folded into the digest by its own delta, ``h(loaded) - h(replaced)``, at the next root. A
        million pending keys made every later write of the item look its key up in a million-entry
        dict (a main-memory access) until the first root; folding by delta needs no such check,
        and it composes with whatever is written after (which counts from the loaded value). A key
        already pending keeps its pending entry (its counted value) and is just overwritten."""
        if self._db.depth:
            raise RuntimeError("load() inside a transaction: use insert()")
        d = self._d
        dirty = self._dirty
        n = 0
        if dirty is None:  # outside the root: nothing to fold
            for key, value in entries:
                d[key] = value
                n += 1
            return n
        self._latest.clear()
        keys: list[Any] = []
        olds: list[Any] = []
        values: list[Any] = []
        get = d.get
        for key, value in entries:
            if not dirty or key not in dirty:
                keys.append(key)
                olds.append(get(key, _MISSING))
                values.append(value)
            d[key] = value
            n += 1
        if keys:
            self._loads.append((keys, olds, values))
            self._db.dirty_items.add(self)
        self._db.root_cache = None
        return n

    def _fold_loads(self) -> None:
        """Fold the pending bulk loads into the digest, in load order: each entry by its delta
        ``h(loaded) - h(replaced)`` (a key loaded twice folds twice, the second from the first's
        value). Text-hashed values get their stored hash; the stored hashes change only once every
        entry has hashed (a float raises here and changes nothing)."""
        hashes = self._h
        staged: dict[Any, int | None] = {}  # key -> its stored hash after these loads (None: none)
        total = self._sum
        known = _KEY_HASHES
        fast = _INT_FAST
        records, ints, mul = _INT_RECORDS, _INT_ONLY, _mul
        for keys, olds, values in self._loads:
            for key, old, new in zip(keys, olds, values):
                hk = 0
                if old is _MISSING:
                    h_old = 0
                elif type(old) is int and 0 <= old < fast:
                    hk = (known.get(key) if type(key) is str else None) or key_hash(key)
                    h_old = hk * (2 * old + 1)
                else:
                    h_old = staged[key] if key in staged else hashes.get(key)  # type: ignore[assignment]
                    if h_old is None:  # an all-int record, digested by its linear form
                        hk = (known.get(key) if type(key) is str else None) or key_hash(key)
                        co = records[type(old)]
                        h_old = hk * (co[0] + sum(map(mul, co[1], old)))
                t = type(new)
                stored: int | None = None
                if t is int and 0 <= new < fast:
                    if not hk:
                        hk = (known.get(key) if type(key) is str else None) or key_hash(key)
                    h_new = hk * (2 * new + 1)
                else:
                    co = records.get(t, _MISSING)
                    if co is _MISSING:
                        co = _int_record_coefficients(t)
                    if co is not None and ints.issuperset(map(type, new)):
                        if not hk:
                            hk = (known.get(key) if type(key) is str else None) or key_hash(key)
                        h_new = hk * (co[0] + sum(map(mul, co[1], new)))
                    else:
                        try:
                            h_new = stored = entry_hash(key, new)
                        except TypeError:
                            # a value that cannot be stored (a float) was loaded: if it is still in the
                            # state this raises; if it was replaced since, its delta has no hash, so the
                            # digest is recomputed from the contents (once, on this error path only)
                            self._refold_from_scratch()
                            return
                if stored is not None or key in staged or key in hashes:
                    staged[key] = stored
                total += h_new - h_old
        for key, h in staged.items():
            if h is None:
                hashes.pop(key, None)
            else:
                hashes[key] = h
        self._sum = total % ROOT_PRIME
        self._loads = []

    def _refold_from_scratch(self) -> None:
        """Recompute the digest and stored hashes from every entry (O(n)), dropping what was
        pending; raises TypeError, changing nothing, if an entry cannot be hashed."""
        total = 0
        hashes: dict[Any, int] = {}
        records, ints = _INT_RECORDS, _INT_ONLY
        for key, value in self._d.items():
            h = entry_hash(key, value)
            total += h
            t = type(value)
            if not (t is int and 0 <= value < _INT_FAST) and not (records.get(t) is not None and ints.issuperset(map(type, value))):
                hashes[key] = h
        self._sum = total % ROOT_PRIME
        self._h = hashes
        self._loads = []
        if self._dirty:
            self._dirty.clear()
        self._latest.clear()

    def mark_dirty(self, key: Any) -> None:
        """Note that ``key`` is about to change outside insert/remove (rollback, restore)."""
        dirty = self._dirty
        if dirty is not None and key not in dirty:
            if not dirty:
                self._db.dirty_items.add(self)
            dirty[key] = self._d.get(key, _MISSING)

    def flush(self) -> int:
        """Bring the digest up to date with the entries written since the last flush: O(keys written).

        Each pending key holds the value the digest still counts (``_MISSING``: none). An account
        record rewritten with the same type (a transfer changes its ``free`` only) changes the
        digest by ``key_hash * sum 2 c_i (new_i - old_i)`` over the fields that are not the same
        object as before: no product per field and no stored hash to look up in a million-entry
        dict (at 10^6 accounts each random lookup costs about a microsecond on a 2-core VM)."""
        if self._loads:
            self._fold_loads()  # first: keys written after a load count from the loaded value
        dirty = self._dirty
        if dirty:
            d = self._d
            latest = self._latest
            hashes = self._h
            total = self._sum
            known = _KEY_HASHES
            fast = _INT_FAST
            records, ints, mul = _INT_RECORDS, _INT_ONLY, _mul
            changed: list[tuple[Any, int]] = []  # (key, new hash of a text-hashed entry, or 0: drop it)
            for key, old in dirty.items():
                new = latest.get(key, _UNSET)
                if new is _UNSET:
                    new = d.get(key, _MISSING)
                if new is old:
                    continue
                t = type(new)
                if t is type(old) and t is not int:
                    co = records.get(t)
                    if co is not None and key not in hashes:
                        # both records of all-int type, the old one digested by its linear form (it is
                        # not in _h): fields that are the same objects are ints already
                        dv = 0
                        for a, b, c in zip(new, old, co[1]):
                            if a is not b:
                                if type(a) is not int:
                                    break
                                dv += c * (a - b)
                        else:
                            if dv:
                                total += ((known.get(key) if type(key) is str else None) or key_hash(key)) * dv
                            continue
                hk = 0  # the key's hash, looked up once if an integer value needs it
                in_h = False
                if old is _MISSING:
                    h_old = 0
                elif type(old) is int and 0 <= old < fast:
                    hk = (known.get(key) if type(key) is str else None) or key_hash(key)
                    h_old = hk * (2 * old + 1)
                else:
                    h_old = hashes.get(key)
                    if h_old is not None:
                        in_h = True
                    else:  # an all-int record, digested by its linear form
                        hk = (known.get(key) if type(key) is str else None) or key_hash(key)
                        co = records[type(old)]
                        h_old = hk * (co[0] + sum(map(mul, co[1], old)))
                if new is _MISSING:
                    h_new = 0
                elif t is int and 0 <= new < fast:  # entry_hash's integer case, inlined
                    if not hk:
                        hk = (known.get(key) if type(key) is str else None) or key_hash(key)
                    h_new = hk * (2 * new + 1)
                else:
                    co = records.get(t, _MISSING)  # entry_hash's integer-record case, inlined (account records)
                    if co is _MISSING:
                        co = _int_record_coefficients(t)
                    if co is not None and ints.issuperset(map(type, new)):
                        if not hk:
                            hk = (known.get(key) if type(key) is str else None) or key_hash(key)
                        h_new = hk * (co[0] + sum(map(mul, co[1], new)))
                    else:
                        h_new = entry_hash(key, new)
                        changed.append((key, h_new))
                        total += h_new - h_old
                        continue
                if in_h:
                    changed.append((key, 0))
                total += h_new - h_old
            # applied only once every entry rendered (a float raises above and changes nothing)
            for key, h in changed:
                if h:
                    hashes[key] = h
                else:
                    del hashes[key]
            self._sum = total % ROOT_PRIME
            dirty.clear()
            latest.clear()
        return self._sum

    def digest(self) -> bytes:
        """This item's digest: the sum mod ROOT_PRIME of its entries' hashes (order-independent, so
        equal contents give equal digests whatever the order of writes)."""
        return self.flush().to_bytes(32, "little")

    def digest_from_scratch(self) -> bytes:
        """The same digest recomputed from every entry (O(n)): what tests check ``digest`` against."""
        total = 0
        for key, value in self._d.items():
            total += entry_hash(key, value)
        return (total % ROOT_PRIME).to_bytes(32, "little")

    def __repr__(self) -> str:
        return f"<storage {self.prefix}.{self.name}: {len(self._d)} entries>"


_D_SLOT: Any = Item.__dict__["_d"]  # the slot descriptors, for DeferringItem's properties
_SUM_SLOT: Any = Item.__dict__["_sum"]
_raw_d: Callable[[Item], dict] = _D_SLOT.__get__  # an item's dict, whatever its class (no touch, no settling)
_PENDING_CREDIT: Any = type("PendingCredit", (), {"__repr__": lambda self: "<pending credit>"})()
_SETTLED: Any = type("Settled", (), {"__repr__": lambda self: "<settled with others>"})()
_MAX_DEFERRED_KEYS = 1 << 22  # pending keys per item before the credits are applied anyway (memory)
_MAX_VALID = 100_000  # keys tuples remembered as valid per item
#: how many times an amounts tuple credited again is summed over when pending credits are applied,
#: before it is multiplied out instead: per key, a product of CPython ints costs ~600 instructions and
#: its column ~140 more in the zip/sum pass, each further summand ~140 (cachegrind, 2,000 keys)
_SUM_REPEATS = 5


class _Deferred:
    """One deferred ``add_each``: its keys and amounts, the old values its application saw
    (``_PENDING_CREDIT`` until applied; ``_SETTLED`` if applied with others, when it could no longer
    be rolled back), the top-level transaction it was made in (-1: outside any), and what a root
    added to the item's digest for it while it was pending (None: nothing yet)."""

    __slots__ = ("keys", "amounts", "olds", "epoch", "fold")

    def __init__(self, keys: tuple, amounts: tuple, epoch: int) -> None:
        self.keys = keys
        self.amounts = amounts
        self.olds: Any = _PENDING_CREDIT
        self.epoch = epoch
        self.fold: int | None = None


class _Deferrals:
    """A DeferringItem's pending credits (in order), their key count, the keys tuples whose
    entries are known to hold small non-negative ints: id -> [the tuple (kept alive here), the last
    amounts tuple credited with it, checked small (one per keys tuple: older ones are let go), its
    largest amount]; ``top``, an upper bound on every entry of those tuples once the pending credits
    are applied (a credit is deferred only while it stays below the fast range, so that applying the
    pending credits can only take the whole-batch path); ``folded``, what roots added to the digest
    for the pending credits (taken out again when they are applied, which folds them)."""

    __slots__ = ("pending", "size", "valid", "top", "folded")

    def __init__(self) -> None:
        self.pending: list[_Deferred] = []
        self.size = 0
        self.valid: dict[int, list[Any]] = {}
        self.top = 0
        self.folded = 0

    def forget(self) -> None:
        """No keys tuple is known small any more (a touch)."""
        self.valid.clear()
        self.top = 0


def _small_max(amounts: tuple) -> int:
    """The largest amount if every amount is an int (exactly) in the integer fast range, else -1."""
    if not _INT_ONLY.issuperset(map(type, amounts)) or min(amounts) < 0:
        return -1
    top = max(amounts)
    return top if top < _INT_FAST else -1


class DeferringItem(Item):
    """An item ``add_each`` credits (the era's rewards): a batch credited again — the same keys
    tuple, whose entries the whole-batch path last left as small non-negative ints and nothing has
    touched since, with amounts that are small non-negative ints — is kept pending instead of
    written (an era's credits were a third of an era change: a probe, an addition and a write per
    key). Everything that reads or writes the item sees what the eager credits would have left:

    * ``_d`` and ``_sum`` are properties here: any access applies the pending credits first (the
      reads below and the Storage's snapshot and root apply them without counting as a touch;
      anything else — insert, remove, load, rollback, restore, another ``add_each`` — is a touch and
      forgets which keys tuples are known small, so their next credit is written eagerly and checked);
    * the pending credits are applied in order, those that can no longer be rolled back (made
      outside any transaction, or in an earlier top-level one) summed per keys tuple (the same
      keys, so the same new keys in the same order, and the same sums), the others one by one,
      keeping the old values their journal entry needs; each through the checked whole-batch path
      (the key-by-key path if a sum leaves the fast range), so the entries, their order and the
      digest are the eager ones;
    * a rollback drops a pending credit (its journal entry is the batch) or undoes an applied one;
      ``restore`` replaces the contents and drops what was pending.

    Nothing in the application can fail: the entries were checked small ints, the amounts too, and
    the keys hashed and distinct when that keys tuple was credited eagerly."""

    __slots__ = ()

    @property  # type: ignore[override]
    def _d(self) -> dict:
        self._settle()
        lazy = self._lazy
        if lazy.valid:  # type: ignore[union-attr]
            lazy.forget()  # type: ignore[union-attr]
        return _D_SLOT.__get__(self)  # type: ignore[no-any-return]

    @_d.setter
    def _d(self, value: dict) -> None:  # restore: the new contents replace whatever was pending (and the digest is set next)
        lazy = self._lazy
        if lazy is not None:
            lazy.pending = []
            lazy.size = 0
            lazy.folded = 0
            lazy.forget()
        _D_SLOT.__set__(self, value)

    @property  # type: ignore[override]
    def _sum(self) -> int:
        self._settle()
        return _SUM_SLOT.__get__(self)  # type: ignore[no-any-return]

    @_sum.setter
    def _sum(self, value: int) -> None:
        _SUM_SLOT.__set__(self, value)

    # --- reads: the pending credits applied, the known-small keys tuples kept
    def get(self, key: Any = None, default: Any = _MISSING) -> Any:
        if self._lazy.pending:  # type: ignore[union-attr]
            self._settle()
        return _raw_d(self).get(key, self.default if default is _MISSING else default)

    def contains(self, key: Any = None) -> bool:
        self._settle()
        return key in _raw_d(self)

    __contains__ = contains

    def __len__(self) -> int:
        self._settle()
        return len(_raw_d(self))

    def items(self) -> Iterator[tuple[Any, Any]]:
        self._settle()
        return iter(list(_raw_d(self).items()))

    def keys(self) -> list[Any]:
        self._settle()
        return list(_raw_d(self))

    def values(self) -> list[Any]:
        self._settle()
        return list(_raw_d(self).values())

    def value(self) -> Any:
        self._settle()
        return _raw_d(self).get(None, self.default)

    # --- credits
    def add_each(self, keys: Sequence[Any], amounts: Sequence[int]) -> None:
        lazy: _Deferrals = self._lazy  # type: ignore[assignment]
        count = len(keys)
        known = lazy.valid.get(id(keys))
        if (
            known is not None and known[0] is keys and type(amounts) is tuple and len(amounts) == count
            and not self._dirty and not self._loads
            and lazy.top + (top := known[2] if known[1] is amounts else _small_max(amounts)) < _INT_FAST and top >= 0
        ):
            known[1], known[2] = amounts, top
            lazy.top += top
            if lazy.size + count > _MAX_DEFERRED_KEYS:
                self._settle()
            db = self._db
            batch = _Deferred(keys, amounts, db.epoch if db.depth else -1)
            lazy.pending.append(batch)
            lazy.size += count
            self._j.append((self, _BULK, batch))
            db.root_cache = None
            return None
        self._settle()
        payload, fast, top = self._credit(keys, amounts)
        if fast and type(keys) is tuple and count >= 2:
            if len(lazy.valid) >= _MAX_VALID:
                lazy.forget()
            lazy.valid[id(keys)] = [keys, amounts, max(amounts)] if type(amounts) is tuple else [keys, None, -1]  # the whole-batch path checked them
            lazy.top = max(lazy.top, top)  # (the entries it did not write are below the bound already)
        elif payload is not None:
            lazy.forget()
        if payload is not None:
            self._j.append((self, _BULK, payload))
            self._db.root_cache = None
        return None

    def _fold_pending(self) -> None:
        """For a root: add the pending credits to the digest without applying them. Each is a
        credit of entries present and small (its keys tuple is known small) that stays below the
        fast range (``top``), so applying it will take the whole-batch path and fold exactly
        ``2 * sum(key_hash(k) * n)``, with the entry count unchanged: that is added now (memoised
        by the identity of the keys and amounts tuples, as an unchanged era hands them again), and
        taken out when the credits are applied (or one is rolled back). A root then costs the
        pending credits' folds, not writing them into a million-entry dict (which is left to the
        first reader, summed over all the credits pending by then)."""
        lazy: _Deferrals = self._lazy  # type: ignore[assignment]
        added = 0
        for batch in lazy.pending:
            if batch.fold is None:
                keys = batch.keys
                batch.fold = 2 * _dot(keys, _key_hashes(keys), batch.amounts) % ROOT_PRIME
                added += batch.fold
        if added:
            lazy.folded += added
            _SUM_SLOT.__set__(self, (_SUM_SLOT.__get__(self) + added) % ROOT_PRIME)

    def _settle(self) -> None:
        lazy: _Deferrals = self._lazy  # type: ignore[assignment]
        pending = lazy.pending
        if not pending:
            return
        lazy.pending = []
        lazy.size = 0
        if lazy.folded:  # applying them folds them: what roots added for them comes out first
            _SUM_SLOT.__set__(self, (_SUM_SLOT.__get__(self) - lazy.folded) % ROOT_PRIME)
            lazy.folded = 0
        db = self._db
        live = db.epoch if db.depth else -2
        cut = len(pending)
        while cut and pending[cut - 1].epoch == live:
            cut -= 1
        # committed: summed per keys tuple (in order of first credit), each amounts tuple scaled by
        # how many times it was credited
        groups: dict[int, tuple[tuple, dict[int, list[Any]]]] = {}
        for batch in pending[:cut]:
            group = groups.get(id(batch.keys))
            if group is None:
                group = groups[id(batch.keys)] = (batch.keys, {})
            seen = group[1].get(id(batch.amounts))
            if seen is None:
                group[1][id(batch.amounts)] = [batch.amounts, 1]
            else:
                seen[1] += 1
            batch.olds = _SETTLED
        for keys, parts in groups.values():
            dot = None
            if len(parts) == 1:  # one amounts tuple credited ``times`` times: its digest fold is memoised
                ((amounts, times),) = parts.values()
                if times > 1:
                    dot = times * _dot(keys, _key_hashes(keys), amounts)
                    amounts = tuple(map(_mul, amounts, itertools.repeat(times)))
                total = amounts
            else:
                # one C pass over all of them: an amounts tuple credited a few times is summed that
                # many times over (``sum`` adds machine-word ints without allocating), one credited
                # more often is multiplied out once (a product per key costs about four more summands)
                columns: list[tuple] = []
                for amounts, times in parts.values():
                    if times <= _SUM_REPEATS:
                        columns.extend(itertools.repeat(amounts, times))
                    else:
                        columns.append(tuple(map(_mul, amounts, itertools.repeat(times))))
                total = tuple(map(sum, zip(*columns)))
            if not self._credit(keys, total, dot)[1]:
                lazy.forget()
        for batch in pending[cut:]:  # still undoable: one by one, keeping their old values
            payload, fast, _top = self._credit(batch.keys, batch.amounts)
            batch.olds = payload[1]  # type: ignore[index]
            batch.fold = None
            if not fast:
                lazy.forget()


class PalletStorage:
    """A pallet's ``#[pallet::storage]`` items. Subclass with ``prefix="Pallet"`` and declarations;
    instantiate with a :class:`Storage` to get bound items as attributes."""

    __prefix__: str
    __decls__: dict[str, ItemDecl]

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__prefix__ = prefix
        decls: dict[str, ItemDecl] = {}
        for base in reversed(cls.__mro__[1:]):
            decls.update(getattr(base, "__decls__", {}))
        decls.update({name: d for name, d in vars(cls).items() if isinstance(d, ItemDecl)})
        cls.__decls__ = decls

    def __init__(self, db: "Storage") -> None:
        for name, decl in self.__decls__.items():
            item = db.register(self.__prefix__, decl)
            setattr(self, name, item)


# --------------------------------------------------------------------------------------------
# the database


def _contents(item: Item) -> dict:
    """The item's entries with its pending credits applied, read without counting as a touch."""
    item._settle()
    return _raw_d(item)


class Snapshot:
    """A saved state: each item's dict (shallow copies of immutable values) plus runtime extras."""

    __slots__ = ("data", "events", "extra", "sums")

    def __init__(self, data: dict[tuple[str, str], dict], events: list, extra: dict[str, Any]) -> None:
        self.data = data
        self.events = events
        self.extra = extra
        # each rooted item's digest and entry hashes as of its last flush, and the keys written
        # and the bulk loads made since: together consistent with ``data``
        self.sums: dict[tuple[str, str], tuple[int, dict, dict, list]] = {}


class Storage:
    """All storage items of a runtime, the undo journal and the current block's event buffer."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}
        self._rooted: list[tuple[bytes, Item]] | None = None
        self.root_cache: str | None = None  # the state root, until the next write
        self.dirty_items: set[Item] = set()  # rooted items written since their last flush
        self.journal: list[tuple[Item, Any, Any]] = []
        self._marks: list[tuple[int, int]] = []
        self.events: list[Any] = []
        self.deferring: list[Item] = []  # the DeferringItems (a root applies their pending credits first)
        self.epoch = 0  # top-level transactions begun (a deferred credit made in the open one can still be rolled back)

    def register(self, prefix: str, decl: ItemDecl) -> Item:
        key = (prefix, decl.name)
        if key in self.items:
            raise ValueError(f"storage item {prefix}.{decl.name} declared twice")
        item = Item(self, prefix, decl)
        self.items[key] = item
        self._rooted = None
        return item

    def item(self, prefix: str, name: str) -> Item:
        try:
            return self.items[(prefix, name)]
        except KeyError:
            raise ParamError("storage_function", f"unknown storage item {prefix}.{name}") from None

    # --- transactions
    @property
    def depth(self) -> int:
        return len(self._marks)

    def begin(self) -> None:
        if not self._marks:
            self.journal.clear()  # writes made outside any transaction are not undoable
            self.epoch += 1
        self._marks.append((len(self.journal), len(self.events)))

    def commit(self) -> None:
        self._marks.pop()
        if not self._marks:
            self.journal.clear()

    def rollback(self) -> None:
        mark, n_events = self._marks.pop()
        j = self.journal
        for i in range(len(j) - 1, mark - 1, -1):
            item, key, old = j[i]
            if key is _BULK:
                item.undo_bulk(old)
                continue
            item.mark_dirty(key)  # a flush may have happened since the write
            item._latest.pop(key, None)
            if old is _MISSING:
                item._d.pop(key, None)
            else:
                item._d[key] = old
        if len(j) > mark:
            self.root_cache = None
        del j[mark:]
        del self.events[n_events:]

    def transactional(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn``; if it raises, undo its writes and events and re-raise."""
        self.begin()
        try:
            result = fn()
        except BaseException:
            self.rollback()
            raise
        self.commit()
        return result

    # --- snapshots
    def snapshot(self, extra: dict[str, Any] | None = None) -> Snapshot:
        if self._marks:
            raise RuntimeError("cannot snapshot inside a transaction")
        # the keys written since the last root are carried, not hashed: a snapshot of a freshly
        # loaded state costs its copies only (hashing 100,000 accounts here made it 8x slower)
        snap = Snapshot({k: _contents(it).copy() for k, it in self.items.items()}, list(self.events), dict(extra or {}))
        snap.sums = {k: (it._sum, it._h.copy(), it._dirty.copy(), list(it._loads)) for k, it in self.items.items() if it._dirty is not None}
        return snap

    def restore(self, snap: Snapshot) -> None:
        if self._marks:
            raise RuntimeError("cannot restore inside a transaction")
        self.dirty_items.clear()
        for key, item in self.items.items():
            item._d = snap.data.get(key, {}).copy()
            if item._dirty is not None:
                item._sum, hashes, pending, loads = snap.sums.get(key, (0, {}, {}, []))
                item._h = hashes.copy()
                item._dirty = pending.copy()
                item._loads = list(loads)  # a load's lists are never changed once made
                item._latest = {}
                if pending or loads:
                    self.dirty_items.add(item)
        self.root_cache = None
        self.events[:] = snap.events
        self.journal.clear()

    # --- digests
    def flush(self) -> None:
        """Fold every write since the last root into the items' digests."""
        for item in self.dirty_items:
            item.flush()
        self.dirty_items.clear()

    def _rooted_items(self) -> list[tuple[bytes, Item]]:
        rooted = self._rooted
        if rooted is None:
            rooted = self._rooted = [(f"{k[0]}.{k[1]}:".encode(), self.items[k]) for k in sorted(self.items) if self.items[k].decl.in_root]
        return rooted

    def _combine(self, digests: Iterable[tuple[bytes, int, bytes]]) -> str:
        h = hashlib.blake2b(digest_size=32)
        for label, n, digest in digests:
            h.update(label)
            h.update(n.to_bytes(8, "little"))
            h.update(digest)
        return "0x" + h.hexdigest()

    def state_root(self) -> str:
        """blake2b-256 over every non-empty chain storage item's (name, entry count, digest), in
        name order, as 0x-hex. The digests are kept up to date from the writes since the last root,
        so a root after k writes costs O(k) plus a constant per item."""
        if self.root_cache is not None:
            return self.root_cache
        self.flush()
        for item in self.deferring:
            item._fold_pending()  # type: ignore[attr-defined]
        # the entries and digests, read without a DeferringItem's touch or settling: its pending
        # credits are folded into the digest and change no entry count
        raw, total = _raw_d, _SUM_SLOT.__get__
        self.root_cache = self._combine((label, len(d), total(item).to_bytes(32, "little")) for label, item in self._rooted_items() if (d := raw(item)))
        return self.root_cache

    def check_written_canonical(self, limit: int = 4096) -> None:
        """Raise ``TypeError`` naming the entry if a key or value written since the last root is one
        the root cannot render (``check_canonical``). The next root would refuse it too; this finds
        it without hashing (a fuzz run's end-of-run check: a tenth of the root's cost). More than
        ``limit`` pending keys are folded into the root instead, so repeated calls stay O(writes)."""
        if sum(len(item._dirty) for item in self.dirty_items) > limit:  # type: ignore[arg-type]
            self.state_root()
            return
        for item in self.dirty_items:
            latest, d = item._latest, item._d
            for key in item._dirty:  # type: ignore[union-attr]
                value = latest.get(key, _UNSET)
                if value is _UNSET:
                    value = d.get(key, _MISSING)
                try:
                    if type(key) not in _PLAIN:
                        check_canonical(key)
                    if value is not _MISSING:
                        check_canonical(value)
                except TypeError as exc:
                    raise TypeError(f"{item.prefix}.{item.name}[{key!r}]: {exc}"[:600]) from None

    def state_root_from_scratch(self) -> str:
        """The state root recomputed from every entry, ignoring the maintained digests (O(n))."""
        return self._combine((label, len(item._d), item.digest_from_scratch()) for label, item in self._rooted_items() if item._d)

    def check_immutable(self) -> None:
        """Raise TypeError if any stored key or value is mutable (lists, dicts, sets, floats)."""
        for (prefix, name), item in self.items.items():
            for k, v in item._d.items():
                try:
                    hash(k)
                    hash(v)
                    canon(v)
                except TypeError as exc:
                    raise TypeError(f"{prefix}.{name}[{k!r}] holds a mutable or unsupported value: {exc}") from None
