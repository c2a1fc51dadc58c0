"""The slash-veto lab: one arm of a scenario, simulated, in a one-way flow.

scenario -> ``world`` (actors, genesis, setup) -> ``agents`` (behaviour, through a narrow
``AgentPort``) -> ``loop`` (rounds, then draining) -> ``slash_queue`` (records with their ground
truth, the rules' timing) -> ``outcomes`` (honest slashed, faulty escaped, pending at end, losses
per role and asset in one numeraire) -> ``frames`` / ``summary`` (DataFrames, per-arm intervals).
``arms`` builds the arms a sweep runs; ``api`` is the notebook entry point
(``from simulations.lab.api import run_scenario, run_sweep``). Each module imports only the ones
before it (``tests/simulations/test_lab_outcomes.py`` checks it).
"""
