"""Bradley-Terry strengths from pairwise comparisons, fitted by the MM algorithm (Hunter, 2004).

Model: P(i beats j) = p_i / (p_i + p_j). With W_i the wins of i (a "can't decide" counts half a win for each
side) and n_ij the comparisons between i and j, each MM step is

    p_i <- W_i / sum_j n_ij / (p_i + p_j)

and never lowers the likelihood. Every idea also plays `prior` virtual games against a fixed reference idea of
strength 1, winning half: that keeps ideas that never won (or never lost) finite. After each step the strengths
are rescaled to a geometric mean of 1 (the scale is otherwise only weakly determined and MM crawls along it).
A fit can start from the previous one (warm start) and stop at a time limit.

The score shown to people is P(beats a random other idea on the board) = mean_j p_i / (p_i + p_j).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

EXACT_SCORE_LIMIT = 1_000  # above this many ideas, the score is computed against a log-strength histogram
HISTOGRAM_BINS = 256


@dataclass(frozen=True)
class Fit:
    strengths: dict[int, float]
    appearances: dict[int, int]
    iterations: int
    converged: bool


def tally(results: Iterable[tuple[int, int, str, int]]) -> dict[tuple[int, int], list[float]]:
    """Aggregate (left, right, outcome, count) rows into {(a, b): [wins of a, wins of b]} with a < b;
    outcome is "left", "right" or "tie" (half a win each)."""
    pairs: dict[tuple[int, int], list[float]] = {}
    for left, right, outcome, count in results:
        if left == right:
            continue
        a, b = (left, right) if left < right else (right, left)
        wins = pairs.setdefault((a, b), [0.0, 0.0])
        if outcome == "tie":
            wins[0] += 0.5 * count
            wins[1] += 0.5 * count
        else:
            winner = left if outcome == "left" else right
            wins[0 if winner == a else 1] += count
    return pairs


def fit(
    idea_ids: Sequence[int],
    pairs: Mapping[tuple[int, int], Sequence[float]],
    *,
    start: Mapping[int, float] | None = None,
    prior: float = 1.0,
    tolerance: float = 1e-6,
    max_iterations: int = 10_000,
    max_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Fit:
    """Fit strengths for `idea_ids` (comparisons involving other ids are ignored). Stops when no log-strength
    moves by more than `tolerance`, after `max_iterations`, or once `max_seconds` have passed (the result is
    then the best so far; the next fit continues from it via `start`)."""
    index = {idea_id: k for k, idea_id in enumerate(idea_ids)}
    n = len(index)
    wins = [prior / 2] * n
    appearances = [0] * n
    left: list[int] = []
    right: list[int] = []
    games: list[float] = []
    for (a, b), (wa, wb) in pairs.items():
        ka, kb = index.get(a), index.get(b)
        if ka is None or kb is None:
            continue
        total = wa + wb
        if total <= 0:
            continue
        wins[ka] += wa
        wins[kb] += wb
        appearances[ka] += round(total)
        appearances[kb] += round(total)
        left.append(ka)
        right.append(kb)
        games.append(total)
    strengths = [float((start or {}).get(idea_id, 1.0)) or 1.0 for idea_id in idea_ids]
    deadline = None if max_seconds is None else clock() + max_seconds
    iterations = 0
    converged = n == 0
    while not converged and iterations < max_iterations:
        if deadline is not None and iterations > 0 and clock() >= deadline:
            break
        denominators = [prior / (s + 1.0) for s in strengths]
        for ka, kb, g in zip(left, right, games, strict=True):
            share = g / (strengths[ka] + strengths[kb])
            denominators[ka] += share
            denominators[kb] += share
        updated = [w / d for w, d in zip(wins, denominators, strict=True)]
        # The likelihood barely pins the overall scale, which MM would drift along for thousands of steps:
        # fix it instead (geometric mean 1, the strength of the reference idea).
        shift = math.exp(-sum(math.log(u) for u in updated) / n)
        updated = [u * shift for u in updated]
        iterations += 1
        change = max(abs(math.log(u / s)) for u, s in zip(updated, strengths, strict=True))
        strengths = updated
        converged = change < tolerance
    return Fit(
        strengths={idea_id: strengths[k] for idea_id, k in index.items()},
        appearances={idea_id: appearances[k] for idea_id, k in index.items()},
        iterations=iterations,
        converged=converged,
    )


def win_probability(p_i: float, p_j: float) -> float:
    return p_i / (p_i + p_j)


def scores(strengths: Mapping[int, float]) -> dict[int, float]:
    """P(beats a random other idea) for each idea: exact up to EXACT_SCORE_LIMIT ideas, otherwise against a
    histogram of log-strengths (HISTOGRAM_BINS bins; the error is far below what changes a ranking)."""
    ids = list(strengths)
    n = len(ids)
    if n < 2:
        return {i: 0.5 for i in ids}
    values = [strengths[i] for i in ids]
    if n <= EXACT_SCORE_LIMIT:
        total = {i: sum(win_probability(p, q) for q in values) - 0.5 for i, p in zip(ids, values, strict=True)}
        return {i: t / (n - 1) for i, t in total.items()}
    logs = [math.log(p) for p in values]
    lo, hi = min(logs), max(logs)
    width = (hi - lo) / HISTOGRAM_BINS or 1.0
    counts = [0] * HISTOGRAM_BINS
    sums = [0.0] * HISTOGRAM_BINS
    for x in logs:
        k = min(HISTOGRAM_BINS - 1, int((x - lo) / width))
        counts[k] += 1
        sums[k] += x
    bins = [(c, math.exp(s / c)) for c, s in zip(counts, sums, strict=True) if c]
    out = {}
    for i, p in zip(ids, values, strict=True):
        total = sum(c * win_probability(p, q) for c, q in bins) - 0.5  # minus the idea against itself
        out[i] = total / (n - 1)
    return out
