"""Per-arm summaries with confidence intervals, paired differences against a baseline, a ranking.

Why this module exists: a council compares arms (veto policy x timing rule x parameters), and a
mean without its uncertainty, its number of runs and its censoring invites a wrong decision. Every
summary row therefore carries ``n``, the interval and how it was computed (``method``,
``confidence``), and the number of runs that ended with slashes still pending.

Sweeps run every arm on the same seeds (common random numbers), so the difference between two arms
is best estimated *paired*: arm A's run with seed s minus the baseline's run with seed s. The noise
both runs share cancels, and the interval of the difference is much narrower than the two arms'
separate intervals suggest.

Amounts arrive as Python ints in base units (object dtype, possibly beyond 64 bits). Sums, means and
variances are computed exactly (ints and :class:`fractions.Fraction`); values become floats only in
the returned summary. An interval that cannot be computed (fewer than two runs) is NaN and says why
in ``note``: never a silent zero.

The Student-t quantile is computed here (exact series for the t distribution's CDF, inverted by
bisection) so the package needs no SciPy.
"""

from __future__ import annotations

import hashlib
import math
import re
from decimal import Context, Decimal
from fractions import Fraction
from numbers import Integral, Real
from typing import Any, Iterable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from simulations.analysis.columns import lower_bound, upper_bound

Method = Literal["t", "bootstrap"]
Direction = Literal["lower", "higher"]

BOOTSTRAP_RESAMPLES = 4000
_DECIMAL = Context(prec=40, Emax=10**6, Emin=-(10**6))


# ---------------------------------------------------------------------------------------- t quantile
def _t_two_sided_mass(theta: float, df: int) -> float:
    """P(|T| <= sqrt(df) tan(theta)) for Student's t with integer ``df`` (Abramowitz & Stegun 26.7.3-4)."""
    c2 = math.cos(theta) ** 2
    if df % 2:
        total, term = 1.0, 1.0
        for k in range(1, (df - 3) // 2 + 1):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        if df == 1:
            return 2 * theta / math.pi
        return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)
    total, term = 1.0, 1.0
    for k in range(1, (df - 2) // 2 + 1):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return math.sin(theta) * total


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile (0.5 < p < 1) of Student's t with ``df`` >= 1 degrees of freedom."""
    if not 0.5 < p < 1:
        raise ValueError(f"t_quantile: p must be in (0.5, 1), got {p}")
    df = int(df)
    if df < 1:
        raise ValueError(f"t_quantile: df must be >= 1, got {df}")
    mass = 2 * p - 1  # P(|T| <= t)
    if df > 1000:  # Cornish-Fisher expansion around the normal quantile; error O(df^-4)
        from statistics import NormalDist

        z = NormalDist().inv_cdf(p)
        return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
                + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3))
    lo, hi = 0.0, math.pi / 2
    for _ in range(80):
        mid = (lo + hi) / 2
        if _t_two_sided_mass(mid, df) < mass:
            lo = mid
        else:
            hi = mid
    return math.sqrt(df) * math.tan((lo + hi) / 2)


# ---------------------------------------------------------------------------------------- exact values
def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v) or isinstance(v, np.floating) and bool(np.isnan(v))


def _exact(v: Any, column: str) -> int | Fraction:
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, Integral):
        return int(v)
    if isinstance(v, Real):
        f = float(v)
        if math.isinf(f):
            raise ValueError(f"metric {column!r}: infinite value {v!r}")
        return Fraction(f)
    if isinstance(v, Decimal):
        return Fraction(v)
    raise TypeError(f"metric {column!r}: value {v!r} ({type(v).__name__}) is not a number")


def _to_float(q: int | Fraction) -> float:
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def _sqrt_float(q: Fraction) -> float:
    """sqrt of a non-negative exact rational, as a float, without overflowing on huge variances."""
    if q <= 0:
        return 0.0
    root = (_DECIMAL.divide(Decimal(q.numerator), Decimal(q.denominator))).sqrt(_DECIMAL)
    return _to_float(Fraction(root))


class _Sample:
    """Exact moments of one sample (an arm's metric, or the paired differences of two arms)."""

    def __init__(self, values: list[int | Fraction]) -> None:
        self.values = values
        self.n = len(values)
        total = sum(values, 0)
        self.mean = Fraction(total, 1) / self.n if self.n else None
        if self.n >= 2:
            sq = sum((v * v for v in values), 0)
            self.var: Fraction | None = (Fraction(sq) - Fraction(total) * total / self.n) / (self.n - 1)
        else:
            self.var = None

    @property
    def mean_f(self) -> float:
        return math.nan if self.mean is None else _to_float(self.mean)

    @property
    def std_f(self) -> float:
        return math.nan if self.var is None else _sqrt_float(self.var)

    def floats(self) -> np.ndarray:
        return np.array([_to_float(v) for v in self.values], dtype=float)


def _stream(seed: int, *names: Any) -> np.random.Generator:
    """One bootstrap stream per (seed, arm, metric, kind): adding an arm changes no other interval."""
    digest = hashlib.blake2b("\0".join(map(str, names)).encode(), digest_size=8).digest()
    return np.random.default_rng([int(seed) & (2**64 - 1), int.from_bytes(digest, "little")])


def _bootstrap_means(x: np.ndarray, rng: np.random.Generator, resamples: int) -> np.ndarray:
    n = len(x)
    chunk = max(1, 2_000_000 // max(n, 1))
    out = []
    done = 0
    while done < resamples:
        b = min(chunk, resamples - done)
        out.append(x[rng.integers(0, n, size=(b, n))].mean(axis=1))
        done += b
    return np.concatenate(out)


def _interval(sample: _Sample, confidence: float, method: Method, rng: np.random.Generator, resamples: int) -> tuple[float, float, str]:
    """(low, high, note) for the mean of one sample."""
    if sample.n == 0:
        return math.nan, math.nan, "no runs recorded a value"
    if sample.n == 1:
        return math.nan, math.nan, "n=1: no interval"
    mean = sample.mean_f
    if sample.std_f == 0:
        # every run gave the same value: the interval below has no width, which is exact when the
        # rules fix the value (a policy that cannot veto escapes nothing) and over-confident when
        # they do not; the row's ``constant`` says so and tables show "(all runs)", not "[0, 0]"
        return mean, mean, f"all {sample.n} runs gave the same value (no spread: the interval has no width)"
    if method == "t":
        half = t_quantile((1 + confidence) / 2, sample.n - 1) * sample.std_f / math.sqrt(sample.n)
        return mean - half, mean + half, ""
    x = sample.floats()
    means = _bootstrap_means(x, rng, resamples)
    alpha = 1 - confidence
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high), ""


def _welch(a: _Sample, b: _Sample, confidence: float) -> tuple[float, float, float]:
    """Unpaired (Welch) interval of mean(a) - mean(b); df rounded down (conservative)."""
    diff = _to_float(a.mean - b.mean)  # type: ignore[operator]
    va, vb = a.var / a.n, b.var / b.n  # type: ignore[operator]
    se2 = va + vb
    if se2 == 0:
        return diff, diff, diff
    df = se2 * se2 / (va * va / (a.n - 1) + vb * vb / (b.n - 1))
    half = t_quantile((1 + confidence) / 2, max(1, math.floor(df))) * _sqrt_float(se2)
    return diff, diff - half, diff + half


# ---------------------------------------------------------------------------------------- proportions
def wilson(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial share (NaN, NaN for n = 0): honest at 0 % and 100 %, and
    never outside [0, 1], where a t interval on 0/1 values reads "0.92 [0.73, 1.10]".
    ``successes`` and ``n`` may be fractional (an effective number of trials). The one
    implementation behind every share the lab shows (per-arm 0/1 measures, the veto-path table)."""
    from statistics import NormalDist

    if n == 0:
        return math.nan, math.nan
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def newcombe_paired(both: int, only_a: int, only_b: int, neither: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """(difference, low, high) of p(a) - p(b) for paired 0/1 outcomes: Newcombe's (1998) hybrid
    score interval for paired proportions (his method 10), from the Wilson intervals of both shares
    and the continuity-corrected phi of the 2x2 table of pairs. Stays within [-1, 1]; with no
    pairs, NaN."""
    n = both + only_a + only_b + neither
    if n == 0:
        return math.nan, math.nan, math.nan
    p1, p2 = (both + only_a) / n, (both + only_b) / n
    l1, u1 = wilson(both + only_a, n, confidence)
    l2, u2 = wilson(both + only_b, n, confidence)
    margins = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    cross = both * neither - only_a * only_b
    corrected = cross - n / 2 if cross > n / 2 else cross if cross < 0 else 0.0
    phi = corrected / math.sqrt(margins) if margins > 0 else 0.0
    d = p1 - p2
    low = d - math.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0))
    high = d + math.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0.0))
    return d, max(low, -1.0), min(high, 1.0)


def newcombe_unpaired(x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """(difference, low, high) of x1/n1 - x2/n2 for independent samples: Newcombe's (1998) hybrid
    score interval (square-and-add of the two Wilson intervals)."""
    if n1 == 0 or n2 == 0:
        return math.nan, math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, confidence)
    l2, u2 = wilson(x2, n2, confidence)
    d = p1 - p2
    return d, max(d - math.hypot(p1 - l1, u2 - p2), -1.0), min(d + math.hypot(u1 - p1, p2 - l2), 1.0)


def _binary(values: Iterable[int | Fraction]) -> bool:
    """Every value is 0 or 1 (and there is one): the mean is a share of runs."""
    seen = False
    for v in values:
        if v != 0 and v != 1:
            return False
        seen = True
    return seen


_AMOUNT = re.compile(r"loss_.+|.+_(value|base)|value_at_risk")
METHOD_WORDS = {"t": "Student t", "bootstrap": "percentile bootstrap", "wilson": "Wilson score (per-run values all 0 or 1: a share of runs)"}
def methods_by_name(methods: Mapping[str, str], metrics: Iterable[str], default: str, names: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Which interval method each of ``metrics`` used (``methods``: metric -> method, from
    :func:`summarize_arms`'s ``attrs["methods"]``; ``default`` for the rest), as method -> the
    metrics' names (``names``, else the metric itself), in first-seen order: what every caption
    that names its methods says."""
    out: dict[str, list[str]] = {}
    for m in metrics:
        out.setdefault(str(methods.get(m, default)), []).append(str((names or {}).get(m, m)))
    return out


def methods_sentence(by_method: Mapping[str, list[str]]) -> str:
    """``Student t for a, b; Wilson score (...) for c``."""
    return "; ".join(f"{METHOD_WORDS.get(k, k)} for {', '.join(v)}" for k, v in by_method.items())


DIFF_WORDS = {"paired t": "paired Student t on the per-seed differences", "paired bootstrap": "paired percentile bootstrap",
              "welch t": "Welch's t (unpaired)", "bootstrap": "percentile bootstrap (unpaired)",
              "newcombe paired": "Newcombe's paired score interval for two shares", "newcombe": "Newcombe's hybrid score interval (unpaired)"}


# ---------------------------------------------------------------------------------------- summaries
def _check(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{what}: column(s) {missing} not in the frame (columns: {list(frame.columns)})")


def summarize_arms(frame: pd.DataFrame, metrics: Sequence[str], *, arm: str = "arm", pair_on: str = "seed", baseline: str | None = None,
                   confidence: float = 0.95, method: Method = "t", seed: int = 0, paired: bool = True,
                   resamples: int = BOOTSTRAP_RESAMPLES, lower_bounds: Mapping[str, float | None] | None = None,
                   upper_bounds: Mapping[str, float | None] | None = None, proportions: Iterable[str] = ()) -> pd.DataFrame:
    """One row per (arm, metric): n, mean, std, the ``confidence`` interval of the mean and how it was made.

    ``lower_bounds``: per metric, the smallest value it can take (default: 0 for the lab's counts,
    losses and durations, :func:`simulations.analysis.columns.lower_bound`). A mean's interval that
    reaches below it is clipped there (coverage is kept: the true mean cannot lie below), and the
    row's ``note`` and ``clipped`` say so: with few or skewed runs a t interval of a loss would
    otherwise read "between -3 and 12 tokens". Differences between arms are never clipped.
    ``upper_bounds`` likewise (default: 1 for shares, :func:`~simulations.analysis.columns.upper_bound`);
    a high bound clipped there sets ``clipped_high``.

    A measure whose per-run values are all 0 or 1 in every arm (at most one escape per run), or one
    named in ``proportions``, is a share of runs: its interval is Wilson's score interval (``method``
    ``wilson``, never outside [0, 1]; a t interval reads "0.92 [0.73, 1.10]" there) and its
    differences Newcombe's score intervals for two shares (``diff_method``). ``attrs["methods"]`` and
    ``attrs["diff_methods"]`` say, per metric, which was used, for captions.

    With ``baseline``, each arm's difference to the baseline arm: paired on ``pair_on`` (each arm's
    run with seed s minus the baseline's run with seed s; ``n_pairs`` seeds both have) or, with
    ``paired=False``, unpaired (Welch's t, or independent bootstrap resamples of both arms).
    ``runs_censored`` counts an arm's runs with ``pending_at_end > 0`` when the frame records it.
    Missing values (None/NaN) are left out of ``n`` and counted in ``n_missing``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if method not in ("t", "bootstrap"):
        raise ValueError(f"method must be 't' or 'bootstrap', got {method!r}")
    metrics = list(metrics)
    _check(frame, [arm, *metrics], "summarize_arms")
    arms = list(pd.unique(frame[arm]))
    if baseline is not None:
        if baseline not in arms:
            raise ValueError(f"baseline arm {baseline!r} is not among the arms {arms}")
        if paired:
            _check(frame, [pair_on], "summarize_arms(pair_on)")
            dup = frame.duplicated([arm, pair_on])
            if dup.any():
                first = frame.loc[dup, [arm, pair_on]].iloc[0].tolist()
                raise ValueError(f"pairing on {pair_on!r} is ambiguous: arm {first[0]!r} has more than one run with {pair_on} {first[1]!r}")
    censored = "pending_at_end" in frame.columns
    groups = {a: g for a, g in frame.groupby(arm, sort=False, dropna=False)}
    groups = {a: groups[a] for a in arms}
    rows: list[dict[str, Any]] = []
    declared = set(proportions)
    methods: dict[str, str] = {}
    diff_methods: dict[str, str] = {}
    for metric in metrics:
        samples = {}
        by_key: dict[Any, dict[Any, int | Fraction]] = {}
        for a, grp in groups.items():
            values = {}
            keys = grp[pair_on].tolist() if pair_on in grp.columns else list(range(len(grp)))
            for k, v in zip(keys, grp[metric].tolist()):
                if not _is_missing(v):
                    values[k] = _exact(v, metric)
            by_key[a] = values
            samples[a] = _Sample(list(values.values()))
        # a share of runs: a count whose runs all gave 0 or 1 (one of them at least 1: all zeros stay
        # "0 (all runs)"), never an amount that happens to be 0 or 1 base units / tokens
        values = [v for smp in samples.values() for v in smp.values]
        binary = _binary(values) and any(v == 1 for v in values) and not _AMOUNT.fullmatch(str(metric))
        share = binary or metric in declared
        floor = lower_bounds[metric] if lower_bounds is not None and metric in lower_bounds else (0.0 if share else lower_bound(metric))
        ceiling = upper_bounds[metric] if upper_bounds is not None and metric in upper_bounds else (1.0 if share else upper_bound(metric))
        row_method = "wilson" if binary else method
        methods[metric] = row_method
        if baseline is not None:
            diff_methods[metric] = (("newcombe paired" if paired else "newcombe") if binary else
                                    (f"paired {method}" if paired else ("welch t" if method == "t" else "bootstrap")))
        for a, grp in groups.items():
            s = samples[a]
            if binary:
                low, high = wilson(sum(s.values), s.n, confidence)
                note = "" if s.n else "no runs recorded a value"
            else:
                low, high, note = _interval(s, confidence, method, _stream(seed, a, metric, "mean"), resamples)
            clipped = floor is not None and not math.isnan(low) and low < floor
            if clipped:
                low = float(floor)  # type: ignore[arg-type]
                note = "; ".join(x for x in (note, f"interval clipped at {format_number(float(floor))} (the metric cannot be lower; few or skewed runs)") if x)  # type: ignore[arg-type]
            clipped_high = ceiling is not None and not math.isnan(high) and high > ceiling
            if clipped_high:
                high = float(ceiling)  # type: ignore[arg-type]
                note = "; ".join(x for x in (note, f"interval clipped at {format_number(float(ceiling))} (the metric cannot be higher)") if x)  # type: ignore[arg-type]
            row: dict[str, Any] = {"arm": a, "metric": metric, "runs": len(grp), "n": s.n, "n_missing": len(grp) - s.n, "mean": s.mean_f,
                                   "std": s.std_f, "ci_low": low, "ci_high": high, "clipped": clipped, "clipped_high": clipped_high,
                                   # a share's Wilson interval has width even when every run agreed: no "(all runs)"
                                   "constant": s.n > 1 and s.std_f == 0 and not binary, "method": row_method, "confidence": confidence}
            if baseline is not None:
                row.update(_difference(a, baseline, samples, by_key, metric, confidence, method, seed, paired, resamples, binary))
                row["diff_method"] = diff_methods[metric]
                if a == baseline:
                    note = "; ".join(x for x in (note, "baseline") if x)
            if censored:
                pending = pd.to_numeric(grp["pending_at_end"], errors="coerce")
                row["runs_censored"] = int((pending > 0).sum())
            row["note"] = note
            rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs.update({"confidence": confidence, "method": method, "baseline": baseline, "paired_on": pair_on if paired and baseline else None,
                      "methods": methods, "diff_methods": diff_methods})
    return out


def _difference(a: Any, baseline: Any, samples: Mapping[Any, _Sample], by_key: Mapping[Any, Mapping[Any, int | Fraction]], metric: str,
                confidence: float, method: Method, seed: int, paired: bool, resamples: int, binary: bool = False) -> dict[str, Any]:
    nan = math.nan
    if a == baseline:
        return {"baseline": baseline, "diff_mean": nan, "diff_ci_low": nan, "diff_ci_high": nan, "n_pairs": samples[a].n}
    if binary and paired:
        base = by_key[baseline]
        pairs = [(int(v), int(base[k])) for k, v in by_key[a].items() if k in base]
        cells = [sum(1 for x, y in pairs if (x, y) == c) for c in ((1, 1), (1, 0), (0, 1), (0, 0))]
        mean, low, high = newcombe_paired(*cells, confidence=confidence)
        return {"baseline": baseline, "diff_mean": mean, "diff_ci_low": low, "diff_ci_high": high, "n_pairs": len(pairs)}
    if binary:
        sa, sb = samples[a], samples[baseline]
        mean, low, high = newcombe_unpaired(int(sum(sa.values)), sa.n, int(sum(sb.values)), sb.n, confidence)
        return {"baseline": baseline, "diff_mean": mean, "diff_ci_low": low, "diff_ci_high": high, "n_pairs": 0}
    if paired:
        base = by_key[baseline]
        diffs = _Sample([v - base[k] for k, v in by_key[a].items() if k in base])
        low, high, _ = _interval(diffs, confidence, method, _stream(seed, a, baseline, metric, "paired"), resamples)
        return {"baseline": baseline, "diff_mean": diffs.mean_f, "diff_ci_low": low, "diff_ci_high": high, "n_pairs": diffs.n}
    sa, sb = samples[a], samples[baseline]
    if sa.n < 2 or sb.n < 2:
        mean = _to_float(sa.mean - sb.mean) if sa.n and sb.n else nan  # type: ignore[operator]
        return {"baseline": baseline, "diff_mean": mean, "diff_ci_low": nan, "diff_ci_high": nan, "n_pairs": 0}
    if method == "t":
        mean, low, high = _welch(sa, sb, confidence)
    else:
        rng = _stream(seed, a, baseline, metric, "unpaired")
        da = _bootstrap_means(sa.floats(), rng, resamples) - _bootstrap_means(sb.floats(), rng, resamples)
        alpha = 1 - confidence
        mean = _to_float(sa.mean - sb.mean)  # type: ignore[operator]
        low, high = (float(q) for q in np.quantile(da, [alpha / 2, 1 - alpha / 2]))
    return {"baseline": baseline, "diff_mean": mean, "diff_ci_low": low, "diff_ci_high": high, "n_pairs": 0}


# ---------------------------------------------------------------------------------------- ranking
def rank_arms(frame: pd.DataFrame, metric: str, *, direction: Direction, arm: str = "arm", pair_on: str = "seed", confidence: float = 0.95,
              method: Method = "t", seed: int = 0) -> pd.DataFrame:
    """Arms ranked by the mean of ``metric`` (``direction``: which end is better), best first.

    Each arm is compared with the best one: paired on ``pair_on`` when the frame has it (the
    difference's interval excludes 0 -> ``separated``), otherwise by whether the two arms'
    intervals overlap (conservative). ``verdict`` says it in words; an arm whose comparison cannot
    be made (fewer than two runs) is ``undetermined``, never silently "not separated".

    Exact ties share a rank. Arms sharing the best mean are each ``tied best`` (``attrs["tied_best"]``);
    when every arm has the same mean (honest loss 0 everywhere) the verdict is ``tie`` for all,
    ``attrs["tie"]`` is True and ``attrs["best"]`` None: the measure does not tell the arms apart.
    """
    if direction not in ("lower", "higher"):
        raise ValueError(f"direction must be 'lower' or 'higher', got {direction!r}")
    summary = summarize_arms(frame, [metric], arm=arm, pair_on=pair_on, confidence=confidence, method=method, seed=seed)
    if summary[summary.n > 0].empty:
        raise ValueError(f"rank_arms: no arm recorded a value of {metric!r}")
    # an arm missing the value in some runs is not ranked: the runs left are a selection (e.g. the
    # runs whose slashes touched only priced assets), and their mean would not be the arm's
    has_data = summary[(summary.n > 0) & (summary.n_missing == 0)]
    if has_data.empty:
        rows = [{"rank": pd.NA, "arm": r["arm"], "n": r["n"], "runs": r["runs"], "n_missing": r["n_missing"], "mean": r["mean"],
                 "ci_low": r["ci_low"], "ci_high": r["ci_high"], "clipped": bool(r["clipped"]), "constant": bool(r["constant"]),
                 "diff_vs_best": math.nan, "diff_ci_low": math.nan, "diff_ci_high": math.nan, "separated": pd.NA,
                 "verdict": _missing_verdict(r), **({"runs_censored": r["runs_censored"]} if "runs_censored" in r else {})}
                for _, r in summary.iterrows()]
        out = pd.DataFrame(rows)
        out.attrs.update({"metric": metric, "direction": direction, "best": None, "tied_best": [], "tie": False, "confidence": confidence,
                          "method": method, "methods": summary.attrs.get("methods", {}), "diff_method": None,
                          "comparison": "none (every arm lacks the value in some runs)"})
        return out
    ordered = has_data.sort_values("mean", ascending=direction == "lower", kind="stable")
    best = ordered.iloc[0]["arm"]
    best_mean = ordered.iloc[0]["mean"]
    # exact ties share a rank (competition ranking: 1, 1, 3): "best" for one arm and "n.s." for its
    # twin would pick a winner by the order the arms were declared in
    means = ordered["mean"].tolist()
    rank_of = {r["arm"]: 1 + sum(1 for m in means if (m < r["mean"] if direction == "lower" else m > r["mean"])) for _, r in ordered.iterrows()}
    tied_best = [a for a in ordered["arm"] if rank_of[a] == 1]
    all_tie = len(ordered) > 1 and len(tied_best) == len(ordered)
    paired = pair_on in frame.columns and not frame.duplicated([arm, pair_on]).any()
    if paired:
        diff = summarize_arms(frame, [metric], arm=arm, pair_on=pair_on, baseline=best, confidence=confidence, method=method, seed=seed)
    else:
        diff = summarize_arms(frame, [metric], arm=arm, baseline=best, confidence=confidence, method=method, seed=seed, paired=False)
    diff_method = diff.attrs.get("diff_methods", {}).get(metric)
    diff = diff.set_index("arm")
    best_row = ordered.iloc[0]
    rows = []
    unranked = summary[~summary.arm.isin(ordered.arm)]
    for _, r in pd.concat([ordered, unranked]).iterrows():
        a = r["arm"]
        d = diff.loc[a]
        if all_tie:
            separated, verdict = pd.NA, f"tie: every arm's mean is {format_number(best_mean)}, so none is best on this measure"
        elif a in tied_best and len(tied_best) > 1:
            separated, verdict = pd.NA, f"tied best ({len(tied_best)} arms share the best mean, {format_number(best_mean)})"
        elif a == best:
            separated, verdict = pd.NA, "best"
        elif r["n"] == 0 or r["n_missing"] > 0:
            separated, verdict = pd.NA, _missing_verdict(r)
        elif paired:
            if math.isnan(d["diff_ci_low"]):
                separated, verdict = pd.NA, "undetermined (fewer than 2 pairs)"
            else:
                separated = bool(d["diff_ci_low"] > 0 or d["diff_ci_high"] < 0)
                verdict = "worse than best (paired interval excludes 0)" if separated else "not separated from best"
        elif math.isnan(r["ci_low"]) or math.isnan(best_row["ci_low"]):
            separated, verdict = pd.NA, "undetermined (n<2)"
        else:
            separated = bool(r["ci_low"] > best_row["ci_high"] or r["ci_high"] < best_row["ci_low"])
            verdict = "worse than best (intervals do not overlap)" if separated else "not separated from best"
        ranked = r["n"] > 0 and r["n_missing"] == 0
        rows.append({"rank": rank_of[a] if ranked else pd.NA, "arm": a, "n": r["n"], "runs": r["runs"], "n_missing": r["n_missing"], "mean": r["mean"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "clipped": bool(r.get("clipped", False)), "constant": bool(r.get("constant", False)),
                     "clipped_high": bool(r.get("clipped_high", False)), "method": r.get("method", method),
                     "diff_vs_best": d["diff_mean"], "diff_ci_low": d["diff_ci_low"], "diff_ci_high": d["diff_ci_high"],
                     "separated": separated, "verdict": verdict, **({"runs_censored": r["runs_censored"]} if "runs_censored" in r else {})})
    out = pd.DataFrame(rows)
    out.attrs.update({"metric": metric, "direction": direction, "best": None if all_tie else best, "tied_best": tied_best if len(tied_best) > 1 else [],
                      "tie": all_tie, "confidence": confidence, "method": method, "methods": summary.attrs.get("methods", {}),
                      "diff_method": diff_method, "comparison": f"paired on {pair_on}" if paired else "interval overlap (unpaired)"})
    return out


def _missing_verdict(r: Any) -> str:
    if r["n"] == 0:
        return "undetermined (no values)"
    return f"undetermined ({r['n_missing']} of {r['runs']} runs have no value; the others are a selection, not the arm)"


# ---------------------------------------------------------------------------------------- formatting
def format_number(x: float, decimals: int | None = None) -> str:
    """A float for people: thousands separators, scientific beyond 1e12, 'n/a' for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "n/a"
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if abs(x) >= 1e12:
        return f"{x:.3e}"
    if decimals is None:
        decimals = 0 if x == 0 or abs(x) >= 100 else min(6, max(0, 2 - math.floor(math.log10(abs(x)))))
    return f"{x:,.{decimals}f}"


def _decimals(low: float, high: float) -> int | None:
    """Two significant digits of the interval's half-width decide the decimals shown."""
    half = (high - low) / 2
    if not math.isfinite(half) or half <= 0:
        return None
    return min(8, max(0, 1 - math.floor(math.log10(half))))


def format_interval(mean: float, low: float, high: float, note: str = "", clipped: bool = False, constant: bool = False,
                    clipped_high: bool = False) -> str:
    """``mean [low, high]``; without an interval the reason is shown instead of bounds; a bound
    clipped at the metric's range (:func:`summarize_arms`: ``clipped`` low, ``clipped_high``) is marked ``*``; a value every run gave
    (``constant``) reads ``mean (all runs)``, not a zero-width ``[mean, mean]`` that looks certain."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "no data"
    # a value every run gave, or a single run's, is that run's exact value: a whole count reads "4", not "4.00"
    exact = format_number(mean, 0) if float(mean).is_integer() else format_number(mean)
    if constant:
        return f"{exact} (all runs)"
    if low is None or math.isnan(low) or math.isnan(high):
        why = note.split(";")[0] if note else "no interval"
        return f"{exact} [{why}]"
    d = _decimals(low, high)
    return f"{format_number(mean, d)} [{format_number(low, d)}{'*' if clipped else ''}, {format_number(high, d)}{'*' if clipped_high else ''}]"


def arm_label_lines(names: Iterable[Any], cap: int = 20, width: int | None = None) -> tuple[dict[Any, str], int]:
    """Arm names broken at their ``/`` boundaries, never mid-word, and the column width that needs.

    An arm is named ``rule/policy/key=value...``; a terminal table that folds the name at its column
    width cuts ``tangle_services/stock`` into ``tangle_services/stoc`` + ``k``. Instead each name's
    pieces (ending at ``/``, ``.`` or ``=``) are packed greedily into lines as wide as the longest unbreakable piece of any name
    (at most ``cap``; only a piece longer than that is still folded)."""
    import re

    names = list(names)
    # break opportunities: after "/" (between rule, policy and parameters), "." and "=" (inside a parameter)
    segments = {n: [p for p in re.split(r"(?<=[/.=])", str(n)) if p] for n in names}
    # the longest piece that cannot break (rich still wraps a segment at its spaces)
    if width is None:
        width = min(cap, max((len(w) for ps in segments.values() for p in ps for w in p.split()), default=1))
    out: dict[Any, str] = {}
    for n, parts in segments.items():
        lines: list[str] = []
        for p in parts:
            if lines and len(lines[-1]) + len(p) <= width:
                lines[-1] += p
            else:
                lines.append(p)
        out[n] = "\n".join(lines)
    return out, width


def cell_units(cell: str) -> list[str]:
    """The pieces of a table cell that must never be split across lines: a number with its marks
    (``12,293``, ``0.0*``), an interval (``[11,350, 13,236]``), a note in parentheses (``(all runs)``).
    A cell may break only between them: a reader who sees ``[11,35`` / ``0,`` takes ``11,35`` for a value."""
    return re.findall(r"\[[^\]]*\]\S*|\([^)]*\)\S*|\S+", cell)


def stack_units(cell: str, width: int) -> str:
    """``cell`` as lines of at most ``width`` characters, broken only between its
    :func:`cell_units` (a unit longer than ``width`` keeps a line of its own)."""
    lines: list[str] = []
    for line in cell.split("\n"):
        current = ""
        for unit in cell_units(line) if len(line) > width else [line]:
            if current and len(current) + 1 + len(unit) <= width:
                current += " " + unit
            else:
                if current:
                    lines.append(current)
                current = unit
        lines.append(current)
    return "\n".join(lines)


def fit_widths(narrow: Sequence[int], natural: Sequence[int], available: int, grow: Sequence[int]) -> list[int] | None:
    """Column widths for a table whose content may take ``available`` characters: every column at
    least its ``narrow`` width (its longest unbreakable piece), then the columns in ``grow`` order
    widened towards their ``natural`` width (the whole cell on one line) while room is left. None
    when the narrow widths do not fit: the caller stacks the table instead of letting rich fold
    digits."""
    widths = list(narrow)
    slack = available - sum(widths)
    if slack < 0:
        return None
    for i in grow:
        add = min(slack, max(0, natural[i] - widths[i]))
        widths[i] += add
        slack -= add
    return widths


def fitted_table(names: Sequence[Any], columns: Sequence[tuple[str, str]], cells: Sequence[Sequence[str]], *, title: str | None, caption: Any,
                 width: int | None, grow: Sequence[int], value_header: str = "value") -> Any:
    """A rich Table of one row per arm (``names``, then ``cells`` under ``columns``: (header,
    justify)) that never splits a number, an interval or a piece of an arm name across lines at
    ``width`` console columns (newuser9: ``[11,35`` / ``0,`` / ``13,236]`` at 80 columns).

    Widths are set here, so rich never folds a cell: one row per arm when every column fits at its
    narrowest (:func:`fit_widths`; cells broken only between their :func:`cell_units`, arm names only
    after ``/``, ``.`` or ``=``), widening the columns in ``grow`` order (indices into ``columns``)
    while room is left; else one block per arm with a line per column (arm | what | ``value_header``),
    which holds an interval on one line at 80 columns. Only a console narrower than one interval still
    folds (nothing fits there). ``width`` None: every column at its natural width."""
    from rich.table import Table
    from rich.text import Text

    big = 10**6 if width is None else width
    pieces = max((len(p) for n in names for p in re.split(r"(?<=[/.=])", str(n)) if p), default=3)
    full = max([len(str(n)) for n in names] + [3])

    def narrowest(j: int) -> int:
        return max([longest_word(columns[j][0])] + [max((len(u) for u in cell_units(row[j])), default=1) for row in cells])

    narrow = [max(pieces, 3)] + [narrowest(j) for j in range(len(columns))]
    natural = [full] + [max([len(columns[j][0])] + [len(row[j]) for row in cells]) for j in range(len(columns))]  # a header on one line if room
    order = [j + 1 for j in grow] + [0] + [j + 1 for j in range(len(columns)) if j not in grow]
    widths = fit_widths(narrow, natural, big - 3 * (len(columns) + 1) - 1, order)
    if widths is not None:
        labels, _ = arm_label_lines(names, width=widths[0])
        table = Table(title=title, caption=caption)
        table.add_column("arm", width=widths[0], overflow="fold")
        for (header, justify), w in zip(columns, widths[1:]):
            table.add_column(header, justify=justify, width=w, overflow="fold")  # type: ignore[arg-type]
        for name, row in zip(names, cells):
            table.add_row(*(Text(c) for c in [labels[name]] + [stack_units(c, w) for c, w in zip(row, widths[1:])]))
        return table
    stacked = [(i, name, header, value) for i, (name, row) in enumerate(zip(names, cells)) for (header, _), value in zip(columns, row)]
    narrow3 = [max(pieces, 3), max(longest_word(h) for h, _ in list(columns) + [("what", "")]),
               max(max((len(u) for u in cell_units(v)), default=1) for *_, v in stacked)]
    natural3 = [full, max(len(h) for h, _ in columns), max(len(v) for *_, v in stacked)]
    widths = fit_widths(narrow3, natural3, big - 3 * 3 - 1, [1, 2, 0]) or narrow3
    labels, _ = arm_label_lines(names, width=widths[0])
    table = Table(title=title, caption=caption)
    table.add_column("arm", width=widths[0], overflow="fold")
    table.add_column("what", width=widths[1], overflow="fold")
    table.add_column(value_header, justify="right", width=widths[2], overflow="fold")
    for k, (i, name, header, value) in enumerate(stacked):
        first, last = k == 0 or stacked[k - 1][0] != i, k + 1 == len(stacked) or stacked[k + 1][0] != i
        table.add_row(Text(labels[name] if first else ""), Text(header), Text(stack_units(value, widths[2])), end_section=last)
    return table


def longest_word(text: str) -> int:
    """The longest space-separated word of ``text`` (a header wraps at its spaces, not inside a word)."""
    return max((len(w) for w in text.split()), default=0)


def format_summary(summary: pd.DataFrame, *, title: str | None = None, scale: Mapping[str, float] | None = None,
                   units: Mapping[str, str] | None = None, width: int | None = None) -> Any:
    """A rich Table of :func:`summarize_arms` output: one block per arm, one line per metric.

    Arm names wrap (``overflow="fold"``) instead of being cut to ``tang…`` at 80 columns. ``scale``
    divides a metric's values for display (e.g. 1e18 to show base units as tokens) and ``units``
    labels them.
    """
    from rich.table import Table
    from rich.text import Text

    scale = dict(scale or {})
    units = dict(units or {})
    conf = summary.attrs.get("confidence") or (summary["confidence"].iloc[0] if len(summary) else 0.95)
    method = summary.attrs.get("method") or (summary["method"].iloc[0] if len(summary) else "t")
    has_diff = "diff_mean" in summary.columns
    has_cens = "runs_censored" in summary.columns
    # the method each metric's intervals actually used (a 0/1 metric: Wilson, whatever ``method`` asked)
    row_methods = (summary.attrs.get("methods") or
                   ({m: g["method"].iloc[0] for m, g in summary.groupby("metric", sort=False)} if "method" in summary.columns else {}))
    by_method = methods_by_name(row_methods, pd.unique(summary["metric"]) if len(summary) else [], method)
    if len(by_method) <= 1:
        only = next(iter(by_method), method)
        caption = [f"{conf:.0%} confidence intervals ({METHOD_WORDS.get(only, only)}) of the mean over runs"]
    else:
        caption = [f"{conf:.0%} confidence intervals of the mean over runs: " + methods_sentence(by_method)]
    if has_diff:
        base = summary["baseline"].dropna().iloc[0] if summary["baseline"].notna().any() else None
        how = f"paired on {summary.attrs['paired_on']}" if summary.attrs.get("paired_on") else "unpaired"
        diff_methods = summary.attrs.get("diff_methods") or {}
        words: dict[str, list[str]] = {}
        for m, k in diff_methods.items():
            words.setdefault(DIFF_WORDS.get(k, k), []).append(str(m))
        named = ("; " + "; ".join(f"{k} for {', '.join(v)}" for k, v in words.items())) if len(words) > 1 else \
            (f": {next(iter(words))}" if words else "")
        caption.append(f"Δ: arm minus baseline {base!s} ({how}){named}")
    if has_cens:
        caption.append("censored: runs that ended with slashes still pending (after any drain)")
    clipped_any = any(c in summary.columns and summary[c].fillna(False).astype(bool).any() for c in ("clipped", "clipped_high"))
    if clipped_any:
        caption.append("*: the interval reached past what the metric can take and is clipped at 0 (or at 1 for a share): the runs "
                       "are few or skewed (most of them 0), so that interval is approximate")
    previous = object()
    records = summary.to_dict("records")
    arm_order = {a: i for i, a in enumerate(pd.unique(summary["arm"]))}
    metric_order = {m: i for i, m in enumerate(pd.unique(summary["metric"]))}
    rows = sorted(records, key=lambda r: (arm_order[r["arm"]], metric_order[r["metric"]]))
    body: list[tuple[Any, list[str], bool]] = []  # arm, cells after the arm, last row of its arm
    for i, r in enumerate(rows):
        k = scale.get(r["metric"], 1.0)
        metric = r["metric"] + (f" ({units[r['metric']]})" if r["metric"] in units else "")
        missing = f" ({r['n_missing']} runs missing)" if r.get("n_missing") else ""
        cells = [metric, f"{r['n']}",
                 format_interval(r["mean"] / k, r["ci_low"] / k, r["ci_high"] / k, r.get("note", ""), bool(r.get("clipped", False)),
                                 bool(r.get("constant", False)), bool(r.get("clipped_high", False))) + missing]
        if has_diff:
            if r["arm"] == r.get("baseline"):
                cells.append("baseline")
            else:
                cells.append(format_interval(r["diff_mean"] / k, r["diff_ci_low"] / k, r["diff_ci_high"] / k,
                                             "fewer than 2 pairs" if r["n_pairs"] < 2 else "") + f" n={r['n_pairs']}")
        if has_cens:
            cells.append(f"{r['runs_censored']}/{r['runs']}")
        body.append((r["arm"], cells, i + 1 == len(rows) or rows[i + 1]["arm"] != r["arm"]))
    headers = ["metric", "n", "mean [CI]"] + (["Δ vs baseline [CI]"] if has_diff else []) + (["censored"] if has_cens else [])
    names = list(pd.unique(summary["arm"]))
    # every column at least its longest unbreakable piece (a number, an interval, a piece of an arm name
    # between / . = or spaces), widened means and differences first: rich then never folds a digit
    pieces = max((len(w) for n in names for p in re.split(r"(?<=[/.=])", str(n)) for w in p.split()), default=3)
    narrow = [max(pieces, 3)] + [max([longest_word(h)] + [max((len(u) for u in cell_units(c[j])), default=1) for _, c, _ in body])
                                  for j, h in enumerate(headers)]
    natural = [max([len(str(n)) for n in names] + [3])] + [max([longest_word(h)] + [len(c[j]) for _, c, _ in body]) for j, h in enumerate(headers)]
    grow = [3] + ([4] if has_diff else []) + [1, 0] + [j for j in range(2, len(headers) + 1) if j not in (1, 3, 4)]
    widths = fit_widths(narrow, natural, width - 3 * (len(headers) + 1) - 1, grow) if width is not None else natural
    table = Table(title=title, caption=Text("; ".join(caption)), show_lines=False)
    if widths is None:
        # too narrow for an arm column beside the numbers: each arm's name on a row of its own above its
        # metrics, in the metric column (the numbers keep their room; nothing is folded mid-number),
        # marked "arm:" in words: bold alone is lost when the table is piped or saved as text
        rest = [max(narrow[0], narrow[1])] + narrow[2:]
        widths = fit_widths(rest, [max(natural[0], natural[1])] + natural[2:], width - 3 * len(headers) - 1,  # type: ignore[operator]
                            [g - 1 for g in grow if g > 0]) or rest
        labels, _ = arm_label_lines(names, width=widths[0])
        for j, (h, w) in enumerate(zip(headers, widths)):
            table.add_column(h if j else "arm / metric", justify="left" if j == 0 else "right", width=w, overflow="fold")
        for name, cells, last in body:
            if name != previous:
                table.add_row(Text("arm: " + labels[name], style="bold"), *[Text("")] * (len(headers) - 1))
            table.add_row(*(Text(stack_units(c, w)) for c, w in zip(cells, widths)), end_section=last)
            previous = name
        return table
    labels, _ = arm_label_lines(names, width=widths[0])
    table.add_column("arm", width=widths[0], overflow="fold")
    for j, (h, w) in enumerate(zip(headers, widths[1:])):
        table.add_column(h, justify="left" if j == 0 else "right", width=w, overflow="fold")
    for name, cells, last in body:
        table.add_row(*(Text(c) for c in [labels[name] if name != previous else ""] + [stack_units(c, w) for c, w in zip(cells, widths[1:])]),
                      end_section=last)  # Text: "[...]" is not rich markup
        previous = name
    return table


def render_summary(summary: pd.DataFrame, *, width: int = 80, **kwargs: Any) -> str:
    """The table as plain text at ``width`` columns (what ``tangle-sim sweep`` prints)."""
    import io

    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, force_terminal=False).print(format_summary(summary, width=width, **kwargs))
    return buf.getvalue()
