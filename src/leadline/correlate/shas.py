"""Commit SHAs as other tools report them: any case, sometimes abbreviated.

Two SHAs are the same commit when they are equal ignoring case, or when one is a prefix of
the other and the shorter one has at least ``MIN_ABBREV`` characters (git's default
abbreviation). Shorter strings only ever match exactly.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

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
    """Items filed under a SHA; ``find`` also answers for abbreviated SHAs (both ways).

    A lookup costs O(log n + matches) however many stored SHAs share a prefix with it (a run
    may list 100k commits planted with one 7-character prefix): the stored SHAs of
    ``MIN_ABBREV``+ characters are kept in a list sorted lazily — once per ``find`` that
    follows ``add`` calls, one merge of two sorted runs — and ``find`` takes the SHAs that
    start with the key by ``bisect``, and the SHAs the key starts with by exact dict lookups
    of its prefixes (only at lengths some stored SHA has). ``find`` yields the stored SHAs in
    sorted order and, for each, its items in insertion order.
    """

    def __init__(self) -> None:
        self._exact: dict[str, list[T]] = {}
        self._sorted: list[str] = []  # distinct stored SHAs of MIN_ABBREV+ chars, sorted
        self._pending: list[str] = []  # added since the last sort
        self._lengths: list[int] = []  # the distinct lengths of those SHAs, ascending

    def add(self, sha: str | None, item: T) -> None:
        if not sha or not sha.strip():
            return
        key = norm_sha(sha)
        items = self._exact.get(key)
        if items is not None:
            items.append(item)
            return
        self._exact[key] = [item]
        if len(key) >= MIN_ABBREV:
            self._pending.append(key)
            if len(key) not in self._lengths:
                insort(self._lengths, len(key))

    def find(self, sha: str | None) -> Iterator[T]:
        if not sha or not sha.strip():
            return
        key = norm_sha(sha)
        if len(key) < MIN_ABBREV:
            yield from self._exact.get(key, ())
            return
        for stored in self._prefixes_of(key):
            yield from self._exact[stored]
        for stored in self._starting_with(key):
            yield from self._exact[stored]

    def find_all(self, shas: Iterable[str]) -> Iterator[T]:
        for sha in shas:
            yield from self.find(sha)

    def _prefixes_of(self, key: str) -> Iterator[str]:
        """Stored SHAs that are proper prefixes of ``key``, shortest (= smallest) first."""
        for n in self._lengths:
            if n >= len(key):
                return
            if key[:n] in self._exact:
                yield key[:n]

    def _starting_with(self, key: str) -> Iterator[str]:
        """Stored SHAs of ``MIN_ABBREV``+ characters that start with ``key``, in order."""
        shas = self._settled()
        i = bisect_left(shas, key)
        while i < len(shas) and shas[i].startswith(key):
            yield shas[i]
            i += 1

    def _settled(self) -> list[str]:
        if self._pending:
            self._sorted.extend(self._pending)
            self._sorted.sort()  # Timsort: the sorted run plus the new ones, merged
            self._pending = []
        return self._sorted


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
        """The distinct SHAs of ``parts`` (arrays from ``sha_bytes``): each later part only
        adds what the earlier ones lack (one merge, no concatenation of all parts)."""
        out = np.unique(parts[0]) if parts else np.empty(0, dtype="S1")
        for part in parts[1:]:
            new = part[~sorted_positions(out, part)[1]]
            if len(new):
                out = np.concatenate((out, np.unique(new)))
                out.sort(kind="stable")  # two sorted runs: a linear merge
        return cls(out)

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


class ShaBuffer:
    """SHAs appended as UTF-8 into chunked numpy arrays (no list of strings kept)."""

    def __init__(self, chunk: int = 65536) -> None:
        self.chunk = chunk
        self.parts: list[NDArray[np.bytes_]] = []
        self.batch: list[bytes] = []

    def append(self, sha: str) -> None:
        self.batch.append(sha.encode())
        if len(self.batch) >= self.chunk:
            self.parts.append(np.array(self.batch, dtype=np.bytes_))
            self.batch = []

    def extend(self, shas: Iterable[str]) -> None:
        for sha in shas:
            self.append(sha)

    def array(self) -> NDArray[np.bytes_]:
        """Everything appended, as one array (the buffer is emptied)."""
        rest = np.array(self.batch, dtype=np.bytes_) if self.batch else np.empty(0, dtype="S1")
        out = np.concatenate([*self.parts, rest])
        self.parts, self.batch = [], []
        return out


def sorted_positions(
    sorted_values: NDArray[Any], values: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """For each of ``values``: its position in ``sorted_values`` and whether it is there."""
    pos = np.searchsorted(sorted_values, values).astype(np.int64)
    if not len(sorted_values):
        return pos, np.zeros(len(values), dtype=np.bool_)
    found = sorted_values[np.minimum(pos, len(sorted_values) - 1)] == values
    return pos, (pos < len(sorted_values)) & found


def sha_bytes(shas: Iterable[str]) -> NDArray[np.bytes_]:
    """``shas`` as a numpy bytes array (UTF-8), built in chunks to bound the temporary lists."""
    buffer = ShaBuffer()
    buffer.extend(shas)
    return buffer.array()
