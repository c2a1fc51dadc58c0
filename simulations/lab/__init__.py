"""The slash-veto lab: one arm of a scenario, simulated, in a one-way flow.

scenario -> ``world`` (actors, genesis, setup) -> ``agents`` (behaviour, through a narrow
``AgentPort``) -> ``loop`` (rounds, then draining) -> ``slash_queue`` (records with their ground
truth, the rules' timing) -> ``outcomes`` (honest slashed, faulty escaped, pending at end, losses
per role and asset in one numeraire) -> ``frames`` / ``summary`` (DataFrames, per-arm intervals).
``governors`` runs a veto as a real process on a governance path (sudo, Council motions, Democracy
referenda enacted by the Scheduler, with ``gov_calls`` the calls they are made of), driven by
governance agents with turnout, reaction delays and decision rules. ``arms`` builds the arms a sweep
runs; ``gov_report`` prints the per-path table (share of wanted vetoes landed before the slash); ``api`` is the notebook entry point
(``from simulations.lab.api import run_scenario, run_sweep``). Each module imports only the ones
before it (``tests/simulations/test_lab_outcomes.py`` checks it).
"""
