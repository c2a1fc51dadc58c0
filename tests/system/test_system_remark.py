"""``System.remark`` takes any origin (frame_system: "Can be executed by every `origin`"), while
``remark_with_event`` needs a signer for its event. The simulator asked for a signer in both, so
``Sudo.sudo(System.remark)`` reported ``Sudid(Err(BadOrigin))`` (found by a client developer, session 29)."""

from __future__ import annotations

import pytest

from runtime import Runtime
from runtime.errors import DispatchError


def test_remark_takes_root_and_sudo_and_remark_with_event_still_needs_a_signer() -> None:
    rt = Runtime()
    rt.dispatch("root", "System", "remark", {"remark": "0x01"})
    receipt = rt.dispatch("Alice", "Sudo", "sudo", {"call": {"call_module": "System", "call_function": "remark", "call_args": {"remark": "0x02"}}})
    assert receipt.event("Sudid")["sudo_result"] is None  # Ok (it read "BadOrigin")
    with pytest.raises(DispatchError, match="BadOrigin"):
        rt.dispatch("root", "System", "remark_with_event", {"remark": "0x03"})
