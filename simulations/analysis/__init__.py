"""Analysis of stored runs and sweeps: per-arm statistics with confidence intervals.

Kept apart from the simulation itself so the numbers a council compares are computed in one place,
from plain DataFrames, with the same rules wherever they are shown (console, report, notebook).
"""

from simulations.analysis.statistics import (format_summary, newcombe_paired, newcombe_unpaired, rank_arms, summarize_arms, t_quantile,
                                             wilson)

__all__ = ["format_summary", "newcombe_paired", "newcombe_unpaired", "rank_arms", "summarize_arms", "t_quantile", "wilson"]
