"""Commit SHAs as other tools report them: any case, sometimes abbreviated.

Two SHAs are the same commit when they are equal ignoring case, or when one is a prefix of
the other and the shorter one has at least ``MIN_ABBREV`` characters (git's default
abbreviation). Shorter strings only ever match exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

MIN_ABBREV = 7

T = TypeVar("T")


def norm_sha(sha: str) -> str:
    return sha.strip().lower()


def same_sha(a: str, b: str) -> bool:
    a, b = norm_sha(a), norm_sha(b)
    if a == b:
        return True
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= MIN_ABBREV and long.startswith(short)


class ShaIndex(Generic[T]):
    """Items filed under a SHA; ``find`` also answers for abbreviated SHAs (both ways)."""

    def __init__(self) -> None:
        self._exact: dict[str, list[T]] = defaultdict(list)
        self._by_prefix: dict[str, set[str]] = defaultdict(set)

    def add(self, sha: str | None, item: T) -> None:
        if not sha or not sha.strip():
            return
        key = norm_sha(sha)
        self._exact[key].append(item)
        if len(key) >= MIN_ABBREV:
            self._by_prefix[key[:MIN_ABBREV]].add(key)

    def find(self, sha: str | None) -> Iterator[T]:
        if not sha or not sha.strip():
            return
        key = norm_sha(sha)
        if len(key) < MIN_ABBREV:
            yield from self._exact.get(key, ())
            return
        for stored in sorted(self._by_prefix.get(key[:MIN_ABBREV], ())):
            if stored.startswith(key) or key.startswith(stored):
                yield from self._exact[stored]

    def find_all(self, shas: Iterable[str]) -> Iterator[T]:
        for sha in shas:
            yield from self.find(sha)
