"""Bradley-Terry strengths from pairwise comparisons, fitted by the MM algorithm (Hunter, 2004), on numpy arrays.

Model: P(i beats j) = p_i / (p_i + p_j). With W_i the wins of i (a "can't decide" counts half a win for each
side) and n_ij the comparisons between i and j, each MM step is

    p_i <- W_i / sum_j n_ij / (p_i + p_j)

and never lowers the likelihood. Every idea also plays `prior` virtual games against a fixed reference idea of
strength 1, winning half: that keeps ideas that never won (or never lost) finite. After each step the strengths
are rescaled to a geometric mean of 1 (the scale is otherwise only weakly determined and MM crawls along it).

One step costs O(distinct pairs), not O(comparisons): the database hands over one row per pair of ideas with
both sides' wins (`Pairs`), and a step is a handful of vectorised passes over those arrays. Steps are accelerated
by SQUAREM. A fit can start from the previous one (warm start), stops at a tolerance, an iteration cap or a time
limit.

The score shown to people is P(beats a random other idea on the board) = mean_j p_i / (p_i + p_j).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

EXACT_SCORE_LIMIT = 1_000  # above this many ideas, the score is computed against a log-strength histogram
HISTOGRAM_BINS = 256


@dataclass(frozen=True)
class Fit:
    strengths: dict[int, float]
    appearances: dict[int, int]
    iterations: int
    converged: bool


@dataclass(frozen=True)
class Pairs:
    """One entry per pair of ideas a[k] < b[k]: the wins of each side (ties count half to each)."""

    a: np.ndarray
    b: np.ndarray
    wins_a: np.ndarray
    wins_b: np.ndarray

    def __len__(self) -> int:
        return len(self.a)

    @classmethod
    def empty(cls) -> Pairs:
        ints, floats = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return cls(ints, ints, floats, floats)

    @classmethod
    def from_mapping(cls, pairs: Mapping[tuple[int, int], Sequence[float]]) -> Pairs:
        if not pairs:
            return cls.empty()
        keys = np.array(list(pairs.keys()), dtype=np.int64)
        wins = np.array(list(pairs.values()), dtype=np.float64)
        return cls(keys[:, 0], keys[:, 1], wins[:, 0], wins[:, 1])

    @classmethod
    def concat(cls, parts: Sequence[Pairs]) -> Pairs:
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("a", "b", "wins_a", "wins_b")))

    def games(self) -> int:
        """How many comparisons these pairs hold (a tie is one comparison, half a win to each side)."""
        return round(float((self.wins_a + self.wins_b).sum()))

    def merged(self) -> Pairs:
        """The same comparisons with one entry per pair (entries of the same pair added up)."""
        if len(self) == 0:
            return self
        keys, inverse = np.unique(np.stack([self.a, self.b], axis=1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        wins_a = np.bincount(inverse, weights=self.wins_a, minlength=len(keys))
        wins_b = np.bincount(inverse, weights=self.wins_b, minlength=len(keys))
        return Pairs(keys[:, 0].copy(), keys[:, 1].copy(), wins_a, wins_b)

    def ideas(self) -> np.ndarray:
        """Every idea id that appears in a pair, sorted."""
        return np.unique(np.concatenate([self.a, self.b]))


def tally(results: Iterable[tuple[int, int, str, int]]) -> dict[tuple[int, int], list[float]]:
    """Aggregate (left, right, outcome, count) rows into {(a, b): [wins of a, wins of b]} with a < b;
    outcome is "left", "right" or "tie" (half a win each). (The service gets this from the database as `Pairs`.)"""
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


def _positions(sorted_ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each value in `sorted_ids`, and whether it is there at all."""
    if len(sorted_ids) == 0:
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_ids, values)
    clipped = np.minimum(pos, len(sorted_ids) - 1)
    return clipped, (pos < len(sorted_ids)) & (sorted_ids[clipped] == values)


def fit(
    idea_ids: Sequence[int],
    pairs: Pairs | Mapping[tuple[int, int], Sequence[float]],
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
    if not isinstance(pairs, Pairs):
        pairs = Pairs.from_mapping(pairs)
    ids = np.asarray(list(idea_ids), dtype=np.int64)
    n = len(ids)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pa, known_a = _positions(sorted_ids, pairs.a)
    pb, known_b = _positions(sorted_ids, pairs.b)
    games = pairs.wins_a + pairs.wins_b
    keep = known_a & known_b & (games > 0)
    ka, kb = order[pa[keep]], order[pb[keep]]
    wa, wb, games = pairs.wins_a[keep], pairs.wins_b[keep], games[keep]
    # Both ends of every pair in one index array: one bincount per step instead of two.
    ends = np.concatenate([ka, kb])
    wins = prior / 2 + np.bincount(ends, weights=np.concatenate([wa, wb]), minlength=n)
    rounded = np.rint(games)
    appearances = np.bincount(ends, weights=np.concatenate([rounded, rounded]), minlength=n).astype(np.int64)
    given = start or {}
    x = np.log([float(given.get(i, 1.0)) or 1.0 for i in ids.tolist()]) if n else np.zeros(0)
    pairs_weights = np.empty(2 * len(games))

    def step(x: np.ndarray) -> np.ndarray:
        """One MM step on log-strengths, then the scale fixed (geometric mean 1, the reference idea's
        strength): the likelihood barely pins the scale, and MM would drift along it for thousands of steps."""
        s = np.exp(x)
        share = games / (s[ka] + s[kb])
        pairs_weights[: len(share)] = share
        pairs_weights[len(share) :] = share
        updated = np.log(wins) - np.log(prior / (s + 1.0) + np.bincount(ends, weights=pairs_weights, minlength=n))
        return updated - updated.mean()

    deadline = None if max_seconds is None else clock() + max_seconds
    iterations = 0
    converged = n == 0
    while not converged and iterations < max_iterations:
        if deadline is not None and iterations > 0 and clock() >= deadline:
            break
        iterations += 1
        # SQUAREM (Varadhan & Roland, 2008): two MM steps give the direction and its curvature, one long step
        # along them, then one MM step from there; kept only if it moves less than a plain step did (else the
        # two plain steps stand). About a tenth of the MM steps for the same tolerance.
        x1 = step(x)
        r = x1 - x
        residual = float(np.max(np.abs(r)))
        if residual < tolerance:
            x, converged = x1, True
            break
        x2 = step(x1)
        v = x2 - x1 - r
        alpha = min(-1.0, -math.sqrt(float(r @ r) / max(float(v @ v), 1e-300)))
        jumped = x - 2 * alpha * r + alpha * alpha * v
        landed = step(jumped)
        moved = float(np.max(np.abs(landed - jumped)))
        if np.all(np.isfinite(landed)) and moved <= residual:
            x = landed
            converged = moved < tolerance
        else:
            x = x2
            converged = float(np.max(np.abs(x2 - x1))) < tolerance
    strengths = np.exp(x)
    keys = ids.tolist()
    return Fit(
        strengths=dict(zip(keys, strengths.tolist(), strict=True)),
        appearances=dict(zip(keys, appearances.tolist(), strict=True)),
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
    p = np.array([strengths[i] for i in ids], dtype=np.float64)
    if n <= EXACT_SCORE_LIMIT:
        totals = (p[:, None] / (p[:, None] + p[None, :])).sum(axis=1) - 0.5
    else:
        logs = np.log(p)
        lo, hi = float(logs.min()), float(logs.max())
        width = (hi - lo) / HISTOGRAM_BINS or 1.0
        k = np.minimum(HISTOGRAM_BINS - 1, ((logs - lo) / width).astype(np.int64))
        counts = np.bincount(k, minlength=HISTOGRAM_BINS)
        sums = np.bincount(k, weights=logs, minlength=HISTOGRAM_BINS)
        used = counts > 0
        c, q = counts[used], np.exp(sums[used] / counts[used])
        totals = (c[None, :] * (p[:, None] / (p[:, None] + q[None, :]))).sum(axis=1) - 0.5  # minus itself
    return dict(zip(ids, (totals / (n - 1)).tolist(), strict=True))
