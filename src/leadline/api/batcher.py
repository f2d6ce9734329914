"""The server's writer: one thread does every write, so the event loop never waits on the
database.

Receivers hand their work to ``Writer`` and await the outcome: a webhook delivery
(``deliver``) or any other write (``run``: records, generic events, profiles, collections,
the org file). The writer thread takes everything queued, stores all the pending deliveries
in **one** transaction (group commit, ``services.webhooks.receive_batch``: one fsync for N
deliveries), runs the other jobs one by one, each in its own transaction, and settles each
caller's future on the event loop. A 2xx still means "committed". After each commit it
nudges the background refresher (``services/refresher.py``).

Bounded waits: each job has a deadline, ``wait`` seconds after it was queued. The write lock
is awaited only until the batch's earliest deadline; when another writer (a ``leadline
import``, another process) holds it longer, the batch fails with ``WriteBusy`` and nothing
of it is written: the route answers 503 with ``Retry-After`` (GitHub, GitLab and custom
senders retry), never "failed" for a valid delivery. A job whose deadline passed while it
was queued is refused the same way without touching the database.

Why a thread and not the loop: the earlier flush on the loop was fast, but any write that
waited for the lock (an import holding it for 40 s) froze the whole server — health checks,
the dashboard, every other request — for as long.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine

from leadline.errors import WriteBusy
from leadline.services.webhooks import Delivery, Outcome, receive_batch
from leadline.store.db import bounded_wait

T = TypeVar("T")
log = logging.getLogger("leadline.writer")


@dataclass
class _Job:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    deadline: float
    delivery: Delivery | None = None
    call: Callable[[], Any] | None = None
    queued: float = field(default_factory=time.monotonic)


class Writer:
    def __init__(
        self,
        engine: Engine,
        wait: float = 5.0,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self.wait = wait
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    async def deliver(self, delivery: Delivery) -> Outcome:
        """Store ``delivery`` (group-committed with whatever else is queued)."""
        outcome: Outcome = await self._submit(delivery=delivery)
        return outcome

    async def run(self, call: Callable[[], T]) -> T:
        """Run ``call`` (which opens its own ``writing()`` transaction) on the writer thread,
        its lock wait bounded by the job's deadline."""
        result: T = await self._submit(call=call)
        return result

    async def _submit(self, **work: Any) -> Any:
        self.start()
        loop = asyncio.get_running_loop()
        job = _Job(loop, loop.create_future(), time.monotonic() + self.wait, **work)
        self._queue.put(job)
        return await job.future

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="leadline-writer", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish what is queued, then end the thread."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)

    # --- the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs = [job]
            stop = False
            while True:  # everything queued meanwhile joins the batch
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                jobs.append(more)
            try:
                self._batch(jobs)
            except Exception:  # a bug: never let the thread die with callers waiting
                log.exception("writer batch failed")
            if stop:
                return

    def _batch(self, jobs: list[_Job]) -> None:
        now = time.monotonic()
        live = []
        for job in jobs:
            if job.deadline <= now:
                _settle(job, error=WriteBusy(self.wait))
            else:
                live.append(job)
        deliveries = [j for j in live if j.delivery is not None]
        committed = False
        if deliveries:
            committed |= self._deliver(deliveries)
        for job in live:
            if job.call is not None:
                committed |= self._call(job)
        if committed and self._on_commit is not None:
            self._on_commit()

    def _deliver(self, jobs: list[_Job]) -> bool:
        remaining = min(j.deadline for j in jobs) - time.monotonic()
        try:
            with bounded_wait(max(remaining, 0.001)):
                outcomes = receive_batch(self._engine, [j.delivery for j in jobs if j.delivery])
        except Exception as exc:  # busy, or the database is gone: every waiter is told
            for job in jobs:
                _settle(job, error=exc)
            return False
        for job, outcome in zip(jobs, outcomes, strict=True):
            _settle(job, result=outcome)
        return True

    def _call(self, job: _Job) -> bool:
        assert job.call is not None
        remaining = job.deadline - time.monotonic()
        if remaining <= 0:
            _settle(job, error=WriteBusy(self.wait))
            return False
        try:
            with bounded_wait(remaining):
                result = job.call()
        except Exception as exc:  # the caller's own errors (bad input) go back to it
            _settle(job, error=exc)
            return False
        _settle(job, result=result)
        return True


def _settle(job: _Job, result: Any = None, error: BaseException | None = None) -> None:
    """Resolve the job's future on its event loop (a caller that went away is skipped)."""

    def resolve() -> None:
        if job.future.done():
            return
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)

    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
        job.loop.call_soon_threadsafe(resolve)
