"""The trending score: a time-decayed vote count kept as one indexable number.

An idea's weight is sum(2 ** -(age_i / half_life)) over its creation and its votes. Comparing two ideas'
weights *now* is the same as comparing log(sum(exp(t_i / tau))) with tau = half_life / ln 2, because
the common factor exp(-now / tau) cancels. That log-sum-exp only changes when a vote arrives or
leaves, so sorting a million ideas by it is an index scan, not a computation per row.

Withdrawing a vote subtracts in log space. That is exact to float precision while the contributions lie
within about 20 time constants (29 half-lives) of each other; anything older weighs less than 2**-29 of
the newest and may round away, which changes no ranking.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sqlalchemy import case, func, literal
from sqlalchemy.sql.elements import ColumnElement

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def tau_seconds(half_life_hours: float) -> float:
    return half_life_hours * 3600.0 / math.log(2)


def point(at: datetime, half_life_hours: float) -> float:
    """The log-weight a single event at `at` contributes."""
    return (at - EPOCH).total_seconds() / tau_seconds(half_life_hours)


def add(score: float, x: float) -> float:
    """log(exp(score) + exp(x)), computed stably."""
    hi, lo = max(score, x), min(score, x)
    return hi + math.log1p(math.exp(lo - hi))


def remove(score: float, x: float, floor: float) -> float:
    """log(exp(score) - exp(x)), never below the idea's own creation weight."""
    if score - x <= 1e-9:
        return floor
    return max(floor, score + math.log1p(-math.exp(x - score)))


def sql_add(column: ColumnElement[float], x: float, dialect: str) -> ColumnElement[float]:
    """The same as `add`, evaluated by the database against the row's current value (race-free)."""
    greatest = func.greatest if dialect == "postgresql" else func.max
    return greatest(column, literal(x)) + func.ln(1 + func.exp(-func.abs(column - literal(x))))


def sql_remove(column: ColumnElement[float], x: float, floor: float, dialect: str) -> ColumnElement[float]:
    greatest = func.greatest if dialect == "postgresql" else func.max
    return case(
        (column - literal(x) > 1e-9, greatest(literal(floor), column + func.ln(1 - func.exp(literal(x) - column)))),
        else_=literal(floor),
    )
