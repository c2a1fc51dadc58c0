"""Building nested calls for the governance-pallet tests (compose_call's nested form)."""

from __future__ import annotations

from typing import Any

from runtime import UNIT, Runtime


def c(module: str, function: str, **args: Any) -> dict[str, Any]:
    return {"call_module": module, "call_function": function, "call_args": args}


def transfer(dest: str, value: int) -> dict[str, Any]:
    return c("Balances", "transfer_keep_alive", dest=dest, value=value)


def remark(text: bytes = b"hi") -> dict[str, Any]:
    return c("System", "remark_with_event", remark="0x" + text.hex())


def failing_transfer(dest: str = "Bob") -> dict[str, Any]:
    return transfer(dest, 10**30)


def names(events: list) -> list[str]:
    return [e.name for e in events]


def free(rt: Runtime, who: str) -> int:
    return rt.free_balance(rt.account(who))


__all__ = ["UNIT", "c", "transfer", "remark", "failing_transfer", "names", "free"]
