"""Counting right answers, wrong answers, rejections and yes/no confusions."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from typing import Any

from .corpus import Item


def score(pairs: Iterable[tuple[Item, str | None]]) -> dict[str, Any]:
    """Counts for (item, understood meaning or None) pairs of one engine, path and noise level.

    - correct: the meaning is the expected one; rejected: nothing understood (a no-match, the
      assistant asks again); wrong: understood as something else (the dangerous kind).
    - yes_no_confusions: a yes heard as no or a no heard as yes.
    - red_flag_yes_as_no: a "yes" to a red-flag screen heard as "no" (the worst error), out of
      red_flag_yes such items.
    """
    n = correct = rejected = wrong = confusions = rf_yes = rf_yes_as_no = 0
    for item, got in pairs:
        n += 1
        if got == item.expected:
            correct += 1
        elif got is None:
            rejected += 1
        else:
            wrong += 1
        if {item.expected, got} == {"yes", "no"}:
            confusions += 1
        if item.red_flag and item.expected == "yes":
            rf_yes += 1
            if got == "no":
                rf_yes_as_no += 1
    return {
        "n": n,
        "correct": correct,
        "wrong": wrong,
        "rejected": rejected,
        "accuracy": round(100.0 * correct / n, 1) if n else None,
        "yes_no_confusions": confusions,
        "red_flag_yes": rf_yes,
        "red_flag_yes_as_no": rf_yes_as_no,
        "red_flag_yes_as_no_rate": round(100.0 * rf_yes_as_no / rf_yes, 1) if rf_yes else None,
    }


def median(values: list[float], digits: int = 1) -> float | None:
    """The median rounded to `digits` decimals, or None for no values."""
    return round(statistics.median(values), digits) if values else None


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100.0 * len(ordered)) - 1))
    return round(float(ordered[k]), 1)
