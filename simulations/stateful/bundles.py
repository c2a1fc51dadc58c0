"""The machine's bundles: ids created by rules and drawn by later rules.

They live in one module so every rule mixin (``rules_*.py``) refers to the same bundles; Hypothesis
identifies a bundle by its name. Values carry what later rules need to send *valid* calls most of
the time (the owner of a blueprint, the operators of a request...), so runs reach deep states.

=================  =============================================================================
bundle             value
=================  =============================================================================
accounts           an SS58 account (dev accounts and two unfunded ones)
assets             ``(asset_id, owner)`` of a pallet_assets asset
operators          an account that joined MultiAssetDelegation as an operator
stakers            an account that bonded in pallet_staking
blueprints         ``(blueprint_id, owner)``
requests           ``(request_id, owner, operators, blueprint_id)``
services           ``(service_id, owner, operators, blueprint_id)``
job_calls          ``(service_id, call_id, job_index, blueprint_id)``
pools              ``(pool_id, depositor)`` of an Lst pool
unapplied_slashes  ``(era, index, blueprint_id)`` of a Services unapplied slash
vaults             a Rewards vault id
=================  =============================================================================
"""

from __future__ import annotations

from hypothesis.stateful import Bundle

accounts = Bundle("accounts")
assets = Bundle("assets")
operators = Bundle("operators")
stakers = Bundle("stakers")
blueprints = Bundle("blueprints")
requests = Bundle("requests")
services = Bundle("services")
job_calls = Bundle("job_calls")
pools = Bundle("pools")
unapplied_slashes = Bundle("unapplied_slashes")
vaults = Bundle("vaults")
