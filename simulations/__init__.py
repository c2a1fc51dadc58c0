"""Simulations on top of the runtime: scenarios, agents, slash-veto policies, sweeps, reports, CLI."""
