"""Random draws of the demo: amounts that vary by season, days split between members,
totals spread over days, and picks by weight. Always from the territory's own seeded
`random.Random`, never the global one."""

from __future__ import annotations

import random
from datetime import date

from demo.haut_val_data import EMPLOYEES, GE_ENTRIES_A_MONTH, SEASON_PERCENT, Cost

def cost_amount(rng: random.Random, cost: Cost, calendar_month: int) -> int:
    if cost.profile == "seasonal":
        return cost.cents * SEASON_PERCENT[calendar_month] * rng.randint(95, 105) // 10_000
    if cost.profile == "salary":
        return cost.cents * rng.randint(98, 102) // 100
    if cost.profile == "varies":
        return cost.cents * rng.randint(75, 125) // 100
    return cost.cents


def split_chance(working: list[date]) -> float:
    """How often a day of work is split between two members, so that a month has about
    GE_ENTRIES_A_MONTH entries: a month with fewer working days still serves every
    member, so its days are split more often."""
    days = [e.hours_on(d) for e in EMPLOYEES for d in working if e.hours_on(d)]
    splittable = sum(1 for hours in days if hours >= 4)
    return min(0.95, max(0.3, (GE_ENTRIES_A_MONTH - len(days)) / max(1, splittable)))


def split_day(rng: random.Random, halves: int, chance: float) -> list[int]:
    """A day of work (in half-hours) as one entry, or two of at least 2 h each."""
    if halves >= 8 and rng.random() < chance:
        first = rng.randint(4, halves - 4)
        return [first, halves - first]
    return [halves]


def spread(rng: random.Random, total: int, days: list[date]) -> dict[date, int]:
    """`total` spread over the days: as evenly as possible, the rest on random days."""
    each, rest = divmod(total, len(days))
    extra = set(rng.sample(days, rest))
    return {day: each + (day in extra) for day in days}


def pick(rng: random.Random, weights: dict[str, int], n: int) -> list[str]:
    """Up to n distinct keys, drawn by weight."""
    left, chosen = dict(weights), []
    while left and len(chosen) < n:
        key = rng.choices(list(left), weights=list(left.values()))[0]
        chosen.append(key)
        del left[key]
    return chosen

