"""How counts read in messages, for the CLI and the dashboard alike: ``1 change``,
``2 changes`` — never ``1 changes``."""

from __future__ import annotations


def plural(n: float, noun: str, many: str | None = None, spec: str = "") -> str:
    """``n`` and ``noun``, the noun in the plural unless ``n`` is 1.

    ``many`` is the plural of an irregular noun (default: ``noun`` + ``s``); ``spec`` formats
    the number: ``plural(1234, "record", spec=",")`` → ``1,234 records``,
    ``plural(7.0, "day", spec="g")`` → ``7 days``.
    """
    return f"{n:{spec}} {noun if n == 1 else (many or noun + 's')}"
