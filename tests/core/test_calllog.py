from __future__ import annotations

import pytest

from runtime import UNIT, Runtime
from runtime.calllog import CallLogError, read_log, replay


def test_call_log_entries_are_compose_call_shaped(rt: Runtime, tmp_path) -> None:
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "0x" + "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48", "value": UNIT})
    rt.dispatch("root", "Assets", "force_create", {"id": 9, "owner": "Bob", "is_sufficient": True, "min_balance": 1})
    rt.advance_blocks(2)
    path = tmp_path / "log.jsonl"
    assert rt.export_log(path) == 2
    entries = list(read_log(path))
    assert [e.kind for e in entries] == ["genesis", "call", "call", "end"]
    first = entries[1].data
    assert first["origin"] == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
    assert first["call_params"] == {"dest": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "value": UNIT}
    assert entries[2].data["origin"] == "root"
    assert entries[3].data["block"] == 3
    result = replay(path)
    assert result.ok and result.runtime.state_root() == rt.state_root() and result.runtime.block_number == 3


@pytest.mark.parametrize(
    "lines, message",
    [
        (['{"kind": "call"'], "line 1: not valid JSON"),
        (['{"kind": "genesis", "genesis": {}}', '{"kind": "nope"}'], "line 2: unknown kind"),
        (['{"kind": "genesis", "genesis": {}}', '{"kind": "call", "block": 1}'], "line 2: call entry lacks"),
        (['{"kind": "call", "block": 1, "origin": "Alice", "call_module": "System", "call_function": "remark", "call_params": {"remark": "x"}}'], "must start with a genesis"),
        (['{"kind": "genesis", "genesis": {"balances": {"Zed": 1}}}'], "line 1: invalid genesis"),
        (['{"kind": "genesis", "genesis": {}}', '{"kind": "call", "block": 1, "origin": "Alice", "call_module": "Balances", "call_function": "transfer_keep_alive", "call_params": {"dest": "Bob"}}'], "line 2: Balances.transfer_keep_alive.value"),
        ([], "empty call log"),
        # new-user finding D4: each was a traceback
        (['{"kind": "genesis", "genesis": {}}', '{"kind": "end", "block": ' + "9" * 5001 + '}'], "line 2: a number with more than 4,300 digits"),
        (['{"kind": "genesis", "genesis": {}}', '{"kind": "end", "block": ' + "[" * 50_000 + "]" * 50_000 + '}'], "line 2: values nested too deeply"),
        (['{"kind": "genesis", "genesis": {}}', '{"kind": "end", "block": "x"}'], "line 2: 'block' must be a block number \\(an integer\\), got 'x'"),
        (['{"kind": "genesis", "genesis": {}}', '{"kind": "end", "block": 4294967301}'], "line 2: advance_blocks: block 4,294,967,301 is past the last block"),
        (['{"kind": "genesis", "genesis": {}}', '{"kind": "call", "block": 4294967301, "origin": "Alice", "call_module": "System", "call_function": "remark", "call_params": {"remark": "0x00"}}'],
         "line 2: advance_blocks: block 4,294,967,301 is past"),
        (['{"kind": "genesis", "genesis": {"balances": {"Alice": -5}}}'], "line 1: invalid genesis: balances: Alice: a balance must not be negative, got -5$"),
        (['{"kind": "genesis", "genesis": {}}', '"' + "x" * (16 * 2**20 + 1) + '"'], "line 2: 16,777,2.. characters, more than a call log line may hold"),
    ],
)
def test_malformed_logs_name_the_line(lines: list[str], message: str) -> None:
    with pytest.raises(CallLogError, match=message):
        replay(lines)
