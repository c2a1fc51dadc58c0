"""A pydantic ValidationError as ``field.path: message`` lines, for people.

Every layer that validates a user's input with pydantic (a call log's genesis, a scenario's runtime
constants and extensions) reports it the same way: one line per problem, the field's dotted path,
pydantic's message without its ``Value error,`` prefix, no URL. Callers differ only in what they
add: the path the model sits under, the value the user gave, and whether a message that already
names its field (GenesisConfig's own checks) is kept whole.
"""

from __future__ import annotations

from pydantic import ValidationError

MAX_VALUE_CHARS = 200  # a megabyte string in the input is not repeated in full in its error


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + f"… ({len(text):,} characters)"


def error_lines(exc: ValidationError, *, under: str = "", root: str = "", with_value: bool = False,
                named: tuple[str, ...] = ()) -> list[str]:
    """One ``field: message`` line per problem of ``exc``.

    ``under``: a path prefixed to every field (``extensions``: the model is that part of a larger
    document); ``root``: the field named when the problem is the whole model (empty location);
    ``with_value``: append `` (got VALUE)`` (not for a missing field: there is no value); ``named``:
    message prefixes that mean the message names its field itself (kept as is, not prefixed again)."""
    lines = []
    for err in exc.errors(include_url=False):
        msg = str(err["msg"]).removeprefix("Value error, ")
        if named and msg.startswith(named):
            lines.append(msg)
            continue
        field = ".".join(([under] if under else []) + [str(part) for part in err["loc"]]) or root
        got = f" (got {_shown(err.get('input'))})" if with_value and err["type"] != "missing" else ""
        lines.append(f"{field}: {msg}{got}")
    return lines


__all__ = ["error_lines"]
