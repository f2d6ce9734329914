"""Commit SHAs as other tools report them: any case, sometimes abbreviated.

Two SHAs are the same commit when they are equal ignoring case, or when one is a prefix of
the other and the shorter one has at least ``MIN_ABBREV`` characters (git's default
abbreviation). Shorter strings only ever match exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

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


class ShaArray:
    """Distinct SHAs held once, sorted, in a numpy bytes array: a SHA's id is its position.

    The compact counterpart of a set of SHA strings for graphs of millions of commits (one
    ``S<width>`` cell per SHA instead of a Python string). ``matches`` follows ``same_sha``
    exactly as ``ShaIndex.find`` does: equal, or one a prefix of the other when both have at
    least ``MIN_ABBREV`` characters. SHAs are stored as given (callers pass ``norm_sha``).
    """

    def __init__(self, shas: NDArray[np.bytes_]) -> None:
        self.shas = shas  # sorted, distinct

    @classmethod
    def build(cls, *parts: NDArray[np.bytes_]) -> ShaArray:
        """The distinct SHAs of ``parts`` (arrays from ``sha_bytes``)."""
        joined = np.concatenate(parts) if parts else np.empty(0, dtype="S1")
        return cls(np.unique(joined))

    def __len__(self) -> int:
        return len(self.shas)

    def sha(self, i: int) -> str:
        return bytes(self.shas[i]).decode()

    def ids(self, shas: NDArray[np.bytes_]) -> NDArray[np.int64]:
        """The id of each SHA in ``shas`` (every one must be present)."""
        return np.searchsorted(self.shas, shas).astype(np.int64)

    def id_of(self, sha: str) -> int | None:
        """The id of exactly ``sha``, or ``None``."""
        key = sha.encode()
        i = int(np.searchsorted(self.shas, key))
        return i if i < len(self.shas) and bytes(self.shas[i]) == key else None

    def matches(self, sha: str) -> list[int]:
        """Ids of the SHAs that are the same commit as ``sha``, in SHA order."""
        if len(sha) < MIN_ABBREV:
            exact = self.id_of(sha)
            return [] if exact is None else [exact]
        found = [i for n in range(MIN_ABBREV, len(sha)) if (i := self.id_of(sha[:n])) is not None]
        key = sha.encode()
        i = int(np.searchsorted(self.shas, key))
        while i < len(self.shas) and bytes(self.shas[i]).startswith(key):
            found.append(i)
            i += 1
        return found


def sha_bytes(shas: Iterable[str], chunk: int = 65536) -> NDArray[np.bytes_]:
    """``shas`` as a numpy bytes array (UTF-8), built in chunks to bound the temporary lists."""
    parts: list[NDArray[np.bytes_]] = []
    batch: list[bytes] = []
    for sha in shas:
        batch.append(sha.encode())
        if len(batch) >= chunk:
            parts.append(np.array(batch, dtype=np.bytes_))
            batch = []
    parts.append(np.array(batch, dtype=np.bytes_) if batch else np.empty(0, dtype="S1"))
    return np.concatenate(parts)
