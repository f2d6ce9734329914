"""``format_time`` against the plain definition, on many kinds of datetimes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from leadline.domain.times import format_time


def _reference(value: datetime) -> str:
    value = value.astimezone(UTC)
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    return f"{text}.{value.microsecond:06d}Z" if value.microsecond else f"{text}Z"


def test_format_time_is_the_plain_rfc3339_text() -> None:
    rng = random.Random(8)
    zones = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9, minutes=-30))]
    values = [
        datetime(1, 1, 2, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(999, 5, 1, 10, 0, 0, 1, tzinfo=UTC),
        datetime(2024, 2, 29, 0, 0, 0, 100000, tzinfo=zones[1]),
    ]
    for _ in range(1200):
        value = datetime(
            rng.randint(2, 9998), rng.randint(1, 12), rng.randint(1, 28),
            rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
            rng.choice([0, 0, rng.randint(0, 999_999), rng.randint(0, 999) * 1000]),
            tzinfo=rng.choice(zones),
        )  # fmt: skip
        values.append(value)
    for value in values:
        assert format_time(value) == _reference(value), value
