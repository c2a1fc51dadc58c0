"""The demos explain themselves at 80 columns: every line fits, tables wrap between words (an
error name is never cut or split), amounts are formatted, wallet_coordination says why an honest
leader proposes Noop under a Redemption checklist."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from blueprints.examples import incredible_squaring, oracle_watchtower, sla_monitor, wallet_coordination

def run(module) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    module.run_demo(Console(file=out, width=80, color_system=None))
    return out.getvalue()


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return {m.__name__.rsplit(".", 1)[1]: run(m) for m in (incredible_squaring, oracle_watchtower, wallet_coordination, sla_monitor)}


def test_every_line_fits_80_columns(outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        wide = [line for line in text.splitlines() if len(line) > 80]
        assert not wide, f"{name}: {wide[:2]}"


def test_names_are_never_cut_or_split(outputs: dict[str, str]) -> None:
    whole = {"InvalidJobResult", "InvalidJobCallInput", "LeaderImpersonation", "LeaderIdleness", "LeaderMistake", "MovedFundsSweep",
             "MovingFunds", "DepositSweep"}
    for name, text in outputs.items():
        cut = re.findall(r"[A-Za-z]{3,}…", text)  # a word ending in an ellipsis (hashes are 0x…, digits)
        assert not cut, f"{name}: {cut[:3]}"
        pieces = set(re.findall(r"\b(?:Invali|Leader|MovedF|Moving|Deposi)[A-Za-z]*", text))
        assert pieces <= whole, f"{name}: split names {sorted(pieces - whole)}"
    assert "InvalidJobResult" in outputs["oracle_watchtower"] and "LeaderImpersonation" in outputs["wallet_coordination"]


def test_amounts_are_formatted_not_base_units(outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        assert "base units" not in text and "of asset" not in text, name
        amounts = re.findall(r"([\d,.]+)\s+(TNT|USDC)\b", text)
        # in tokens, not base units: a demo's amounts are at most millions of tokens (1 TNT is 10**18
        # base units, 1 USDC 10**6), written exactly with separators and no trailing zeros
        whole = {(a, unit): int(a.split(".")[0].replace(",", "")) for a, unit in amounts}
        assert amounts and all(w < 10**7 for w in whole.values()), f"{name}: {[k for k, w in whole.items() if w >= 10**7][:3]}"
        assert all(re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d*[1-9])?", a) for a, _ in amounts), name
    assert "10,000 USDC" in outputs["incredible_squaring"] and "900 TNT" in outputs["incredible_squaring"]


def test_wallet_demo_explains_noop_under_a_redemption_checklist(outputs: dict[str, str]) -> None:
    text = outputs["wallet_coordination"]
    assert "no redemption was pending" in text
    rows = [line for line in text.splitlines() if "Noop (no" in line and re.match(r"│ \d+\s+│", line)]
    assert rows and all(re.search(r"│ 0\s+│ Noop \(no", row) for row in rows)
