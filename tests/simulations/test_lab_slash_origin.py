"""The lab proposes and disputes service slashes as the origin the service's manager names, asked of
the pallet: the blueprint owner under intended, the stock manager contract itself under real (quirk
services.default_manager_names_itself). Hard-coding the owner made every real-profile proposal fail
with BadOrigin, counted silently as escaped slashes."""

from __future__ import annotations

from pathlib import Path

from simulations.lab.api import run_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "simulations" / "scenarios" / "slash-veto.yaml"


def test_real_profile_slashes_are_proposed_by_the_managers_own_account() -> None:
    for profile in ("intended", "real"):
        one = run_scenario(SCENARIO, params={"parameters.profile": profile}, rules=["tangle_services"])
        slashes = one.slashes
        assert len(slashes) > 0, profile
        assert not slashes.status.eq("rejected").any(), (profile, slashes[slashes.status == "rejected"].to_dict("records")[:2])
        assert slashes.status.isin(["applied", "vetoed"]).sum() > 0, profile
