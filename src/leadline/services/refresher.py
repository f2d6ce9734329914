"""The server's background refresher: derived data kept current, so that reads never build.

It runs a cycle every ``poll`` seconds, and at once when the server commits a batch
(``nudge``) or a read asks for a profile (``want``); writes of other processes (``leadline
import``, other servers) and new profiles are seen by the next cycle. A cycle
brings every stored profile's and collection's timelines up to date, the wanted ones first,
with ``services/refresh.refresh``: in bounded chunks, each its own short write transaction,
so webhooks interleave with a long build. A kill loses nothing: the next start resumes the
build where its last chunk committed.

Where it runs: ``leadline serve`` runs it in a process of its own (``leadline refresh
--watch``, ``run_forever``), so that building — seconds of CPU in Python per thousand
changes — never competes with the server's event loop for the interpreter lock; the
server's ``Refresher`` is then ``external`` and only settles reads. An app made in-process
(tests, embedding) runs it in a daemon thread.

Reads (``settle``) wait a short, bounded time for the profile they answer to be current —
long enough for the usual incremental refresh of a few changes, never minutes — and then
answer from the last complete build (``as_of`` says how current it is), or with the first
build's progress (``NotReady``).

Its writes wait at most ``write_wait`` seconds for the write lock (an import may hold it
for a minute); when they cannot get it the cycle is retried after a pause. ``stop`` asks the
thread to end after its current chunk.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine

from leadline.errors import LeadlineError
from leadline.profiles.models import Profile
from leadline.services import collections, profiles, shipments
from leadline.services.refresh import refresh, timeline_fingerprint
from leadline.store import changelog
from leadline.store import timelines as store
from leadline.store.db import bounded_wait, reading

log = logging.getLogger("leadline.refresher")
RETRY_PAUSE = 2.0  # seconds before a cycle that failed (database busy or gone) is retried


class Refresher:
    def __init__(
        self,
        engine: Engine,
        *,
        read_wait: float = 0.5,
        write_wait: float = 5.0,
        poll: float = 0.5,
        external: bool = False,
    ) -> None:
        self._engine = engine
        self.read_wait = read_wait
        self._write_wait = write_wait
        self._poll = poll
        self.external = external  # another process refreshes: only settle reads here
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._changed = threading.Condition()  # notified after every chunk and cycle
        self._wanted: dict[str, Profile] = {}  # fingerprint → profile, read-requested first
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.cycles = 0  # completed cycles (for tests and /healthz)
        self.last_error: str | None = None

    # --- control -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread (idempotent: the app starts it on first use or at start-up;
        nothing when the refreshing is done by another process)."""
        if self.external:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(
                    target=self._run, name="leadline-refresher", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to end after its current chunk and wait for it."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def nudge(self) -> None:
        """Something was committed: refresh soon."""
        self._wake.set()

    def want(self, profile: Profile) -> None:
        """Keep ``profile``'s timelines current too (a read asked for it), first."""
        with self._lock:
            self._wanted.setdefault(timeline_fingerprint(profile), profile)
        self.start()
        self._wake.set()

    # --- reads ---------------------------------------------------------------------------

    def settle(self, profile: Profile, timeout: float | None = None) -> None:
        """Wait at most ``timeout`` (default ``read_wait``) seconds for ``profile``'s
        timelines to reflect everything committed before this call. Returns either way:
        the caller answers from whatever build is complete then."""
        self.want(profile)
        deadline = time.monotonic() + (self.read_wait if timeout is None else timeout)
        fingerprint = timeline_fingerprint(profile)
        with reading(self._engine) as conn:
            head = changelog.last_seq(conn)
        while True:
            with reading(self._engine) as conn:
                ts = store.get_set(conn, fingerprint)
            if ts is not None and ts.complete and not ts.building and ts.watermark >= head:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            with self._changed:
                self._changed.wait(min(remaining, 0.25))

    def settle_stored(self, timeout: float | None = None) -> None:
        """``settle`` every stored profile, all within one ``timeout`` (``/metrics``)."""
        engine = self._engine
        deadline = time.monotonic() + (self.read_wait if timeout is None else timeout)
        for name in profiles.names(engine):
            try:
                profile = profiles.get(engine, name)
            except LeadlineError:
                continue
            self.settle(profile, max(0.0, deadline - time.monotonic()))

    # --- the thread ----------------------------------------------------------------------

    def run_forever(self) -> None:
        """Refresh in this thread until ``stop`` (``leadline refresh --watch``; a ``stop``
        that came first, from a signal during start-up, is kept)."""
        self._run()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                # A cycle over current sets costs a few small reads (each refresh first
                # compares its set's watermark with the head), so it runs every ``poll``:
                # new records, new profiles and other processes' writes are all seen so.
                with bounded_wait(self._write_wait):
                    self._cycle()
                self.cycles += 1
                self.last_error = None
                self._notify()
            except Exception as exc:  # busy, or the database went away: try again later
                self.last_error = f"{type(exc).__name__}: {exc}"
                if not isinstance(exc, LeadlineError):
                    log.exception("refresh failed; retrying in %s s", RETRY_PAUSE)
                self._notify()
                self._stopping.wait(RETRY_PAUSE)
                continue
            self._wake.wait(self._poll)

    def _cycle(self) -> None:
        engine = self._engine
        shipments.refresh(engine)  # once a cycle, not once a profile
        for profile in self.profiles(engine):
            if self._stopping.is_set():
                return
            refresh(
                engine, profile, on_progress=lambda _done, _total: self._notify(),
                stop=self._stopping.is_set, with_shipments=False,
            )  # fmt: skip

    def profiles(self, engine: Engine) -> list[Profile]:
        """The read-requested profiles, then every stored profile and every collection's
        report profile, each fingerprint once."""
        with self._lock:
            chosen = dict(self._wanted)
        for name in profiles.names(engine):
            try:
                profile = profiles.get(engine, name)
            except LeadlineError:
                continue  # deleted meanwhile
            chosen.setdefault(timeline_fingerprint(profile), profile)
        for collection in collections.tree(engine):
            try:
                _, profile = collections.report_profile(engine, collection.name)
            except LeadlineError:
                continue  # no profile of its own or inherited: nothing to build
            chosen.setdefault(timeline_fingerprint(profile), profile)
        return list(chosen.values())

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()
