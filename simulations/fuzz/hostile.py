"""The bad-input share of a campaign: well-formed calls turned malformed on purpose.

Each mutation replaces one argument (or a field deep inside one, or the origin) with a hostile value of
a class the boundary must refuse cleanly: wrong types, unknown variants and fields, negative and
overflowing numbers, values nested 10^5 deep, megabyte strings, 10^5-digit integers, Sudo.sudo nested
past the decoding limit, field types nested 2,000 deep, short or huge accounts. The big values are
built once and shared; a program refers to them by marker (``{"__hostile__": "deep-list"}``), so it
stays small JSON.
"""

from __future__ import annotations

import random
from typing import Any

MARK = "__hostile__"


def _nest_list(depth: int) -> Any:
    v: Any = 0
    for _ in range(depth):
        v = [v]
    return v


def _nest_dict(depth: int) -> Any:
    v: Any = 0
    for _ in range(depth):
        v = {"a": v}
    return v


def _nest_sudo(depth: int) -> Any:
    call: Any = {"call_module": "System", "call_function": "remark", "call_args": {"remark": "0x00"}}
    for _ in range(depth):
        call = {"call_module": "Sudo", "call_function": "sudo", "call_args": {"call": call}}
    return call


def _nest_field_type(depth: int) -> Any:
    t: Any = "Uint8"
    for _ in range(depth):
        t = {"List": t}
    return t


_BUILDERS = {
    "deep-list": lambda: _nest_list(100_000),
    "deep-dict": lambda: _nest_dict(100_000),
    "deep-sudo": lambda: _nest_sudo(300),
    "deep-field-type": lambda: _nest_field_type(2_000),
    "megabyte-string": lambda: "x" * 1_000_000,
    "long-account": lambda: "5" * 100_000,
    "huge-int": lambda: 10**100_000,
}
_BUILT: dict[str, Any] = {}

SMALL: tuple[Any, ...] = (-1, -(2**200), 2**200, 1.5, float("nan"), True, None, "", "0xzz", "no such thing", [], {}, {"Nope": 1},
                          [1, 2, 3], b"\x00" * 5, {"Id": 5}, "0x1234")


def value(kind: str) -> Any:
    """The shared hostile value of ``kind`` (built on first use)."""
    hit = _BUILT.get(kind)
    if hit is None:
        hit = _BUILT[kind] = _BUILDERS[kind]()
    return hit


def pick(rng: random.Random) -> Any:
    """A hostile value or its marker: half small ones, half the big classes."""
    if rng.random() < 0.5:
        return rng.choice(SMALL)
    return {MARK: rng.choice(sorted(_BUILDERS))}


def mutate(rng: random.Random, origin: Any, params: dict[str, Any]) -> tuple[Any, Any]:
    """``(origin, params)`` with one hostile change."""
    r = rng.random()
    if r < 0.1:
        return pick(rng), params
    params = dict(params)
    if r < 0.2 or not params:
        if params and rng.random() < 0.5:
            del params[rng.choice(sorted(params))]
        else:
            params["no_such_argument"] = 1
        return origin, params
    name = rng.choice(sorted(params))
    params[name] = _deep_replace(rng, params[name])
    return origin, params


def _deep_replace(rng: random.Random, current: Any) -> Any:
    """Replace ``current`` or something inside it (a struct field, a list item, a variant's value)."""
    if rng.random() < 0.5:
        if isinstance(current, dict) and current:
            key = rng.choice(sorted(current, key=str))
            out = dict(current)
            out[key] = _deep_replace(rng, current[key])
            return out
        if isinstance(current, list) and current:
            i = rng.randrange(len(current))
            out_list = list(current)
            out_list[i] = _deep_replace(rng, current[i])
            return out_list
    return pick(rng)


def expand(obj: Any) -> Any:
    """Replace markers with the shared hostile values (structure above them is copied, never mutated)."""
    if isinstance(obj, dict):
        if len(obj) == 1 and MARK in obj:
            return value(obj[MARK])
        return {k: expand(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [expand(v) for v in obj]
    return obj
