"""Working-hours arithmetic and deterministic randomness for the demo generator.

People work 09:00–18:00 UTC, Monday to Friday: ``advance(t, 3)`` at 16:00 on a Friday is
11:00 on Monday. Pipelines and incidents run on wall-clock time (plain ``timedelta``).
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import UTC, datetime, timedelta

WORK_START = 9
WORK_END = 18
DAY = timedelta(days=1)


def midnight(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def is_workday(t: datetime) -> bool:
    return t.weekday() < 5


def to_work(t: datetime) -> datetime:
    """``t`` if it is inside working hours, else the next start of working hours."""
    day = midnight(t)
    if is_workday(t):
        if t < day.replace(hour=WORK_START):
            return day.replace(hour=WORK_START)
        if t < day.replace(hour=WORK_END):
            return t
    day += DAY
    while not is_workday(day):
        day += DAY
    return day.replace(hour=WORK_START)


def advance(t: datetime, hours: float) -> datetime:
    """``t`` plus ``hours`` of working time."""
    t = to_work(t)
    left = timedelta(hours=hours)
    while True:
        room = midnight(t).replace(hour=WORK_END) - t
        if left <= room:
            return t + left
        left -= room
        t = to_work(midnight(t).replace(hour=WORK_END))


def workdays(start: datetime, end: datetime) -> list[datetime]:
    """The midnights of the working days in ``[start, end)``."""
    days = []
    day = midnight(start)
    while day < end:
        if is_workday(day) and day >= start:
            days.append(day)
        day += DAY
    return days


def previous_workday(day: datetime) -> datetime:
    while not is_workday(day):
        day -= DAY
    return day


class Dice:
    """``random.Random(seed)`` with the few draws the generator needs."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def uniform(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def spread(self, mean: float, sigma: float = 0.6) -> float:
        """A log-normal duration with the given mean: mostly near it, sometimes much longer."""
        return self.rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)

    def count(self, mean: float) -> int:
        """A whole number with the given mean (floor, plus one with the fraction's chance)."""
        whole = math.floor(mean)
        return whole + (1 if self.chance(mean - whole) else 0)

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return options[self.rng.randrange(len(options))]

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.uniform(low, high))

    def sample(self, items: list[int], k: int) -> list[int]:
        return sorted(self.rng.sample(items, k))


def fmt(t: datetime) -> str:
    """RFC 3339, UTC, whole seconds."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha(*parts: object) -> str:
    """A realistic 40-hex SHA, fixed by its parts."""
    return hashlib.sha1("/".join(str(p) for p in parts).encode()).hexdigest()
