"""``leadline sync jenkins``: finished builds of a Jenkins server's jobs as pipeline runs.

The jobs come from ``api/json?tree=jobs[name,_class]``, folders (and multibranch projects)
walked down; ``--job`` globs (the job's full name, ``folder/job``, case-insensitive) narrow
them. One resource, ``builds``, reads job after job, each newest first, from
``job/…/api/json?tree=allBuilds[…]{FROM,TO}`` in pages of ``per_page``
(``leadline.sources.jenkins.rest`` maps a build). Its cursor maps each job's full name to
the job's state (one cursor row: a job's name may be longer than a resource name may be).

**Incremental and resumable.** A job's state is ``{"done": N}``: every build up to number N
was finished and stored. A pass reads pages until a build numbered N or lower shows up, then
sets ``done`` to the newest build number read — or, when a build was still running, to one
below the oldest running build, so the next pass reads it again once it has finished. While
a pass is unfinished the state also holds ``run`` (the next page's offset, the pass's newest
number and oldest running build), committed with each page's runs: a sync killed at any
point resumes at the page after the last committed one. Builds started meanwhile only push
the others down a page: some are read twice (the second write is unchanged), none is missed.
A re-run of a finished sync reads one short page per job and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from leadline.correlate.scope import glob_any
from leadline.domain.records import RecordModel
from leadline.errors import InputError
from leadline.services.sync.engine import Batch, ProgressCallback, SyncContext, SyncReport, run_sync
from leadline.sources.base import PayloadError
from leadline.sources.http import RestClient, RestError, safe_url
from leadline.sources.jenkins import rest as jenkins_rest

SOURCE = "jenkins"
JOB_TREE = "jobs[name,_class]"
MAX_DEPTH = 10  # folders nested deeper are not walked (a loop guard)


@dataclass
class Builds:
    """Every job's builds, job after job, each newest first (module doc). The cursor maps
    each job's full name to its own state (``{"done": N, "run": …}``)."""

    client: RestClient
    jobs: list[str]
    per_page: int
    name: str = "builds"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        found = cursor.get("jobs") if isinstance(cursor, dict) else None
        states: dict[str, Any] = dict(found) if isinstance(found, dict) else {}
        for job in self.jobs:
            state = states.get(job)
            for records, new_state, items in self._job(
                job, state if isinstance(state, dict) else {}, ctx
            ):
                states[job] = new_state
                yield Batch(records, {"jobs": dict(states)}, items)

    def _job(
        self, job: str, state: dict[str, Any], ctx: SyncContext
    ) -> Iterator[tuple[list[RecordModel], dict[str, Any], int]]:
        """One job's pages from its state on: (runs, the job's state after them, items)."""
        done = state.get("done") if isinstance(state.get("done"), int) else None
        run: dict[str, Any] = state["run"] if isinstance(state.get("run"), dict) else {}
        offset = int(run.get("offset", 0))
        upper, running = run.get("upper"), run.get("running")
        while True:
            builds = self._page(job, offset)
            numbered = [(b, n) for b in builds if (n := self._number(b)) is not None]
            fresh = [(b, n) for b, n in numbered if done is None or n > done]
            known = [n for n in (upper, *(n for _, n in numbered)) if isinstance(n, int)]
            upper = max(known) if known else None
            records = self._runs(job, [b for b, _ in fresh], ctx)
            for build, number in fresh:
                if not _finished(build):
                    running = number if running is None else min(running, number)
            more = len(builds) == self.per_page and len(fresh) == len(builds)
            if more:
                offset += self.per_page
                after = {"done": done, "run": {"offset": offset, "upper": upper,
                                               "running": running}}  # fmt: skip
            else:
                after = {"done": _watermark(done, upper, running)}
            yield records, after, len(builds)
            if not more:
                return

    def _page(self, job: str, offset: int) -> list[Any]:
        path = f"{jenkins_rest.job_path(job)}/api/json"
        tree = f"allBuilds[{jenkins_rest.TREE_FIELDS}]{{{offset},{offset + self.per_page}}}"
        body = self.client.get_json(path, {"tree": tree})
        found = body.get("allBuilds") if isinstance(body, dict) else None
        if not isinstance(found, list):
            where = safe_url(f"{self.client.base_url}/{path}")
            raise RestError(f"GET {where}: expected a list under 'allBuilds'", url=where)
        return found

    @staticmethod
    def _number(build: Any) -> int | None:
        try:
            return jenkins_rest.build_number(build)
        except PayloadError:
            return None

    @staticmethod
    def _runs(job: str, builds: list[Any], ctx: SyncContext) -> list[RecordModel]:
        records: list[RecordModel] = []
        for build in builds:
            try:
                run = jenkins_rest.build_run(job, build)
            except PayloadError as exc:
                ctx.warn(f"jenkins {job} #{build.get('number')}: {exc.message}; skipped")
                continue
            if run is not None:
                records.append(run)
        return records


def _finished(build: Any) -> bool:
    return not build.get("building") and build.get("result") is not None


def _watermark(done: int | None, upper: int | None, running: int | None) -> int | None:
    """The newest number read, or one below the oldest build still running."""
    if running is not None:
        return running - 1 if done is None else max(done, running - 1)
    return upper if upper is not None else done


def list_jobs(client: RestClient, patterns: list[str] | None) -> list[str]:
    """Every job's full name, folders walked down (depth-first, in Jenkins' order), kept
    when it matches one of ``patterns`` (globs, case-insensitive; none: every job)."""
    found: list[str] = []

    def walk(prefix: str | None, depth: int) -> None:
        path = f"{jenkins_rest.job_path(prefix)}/api/json" if prefix else "api/json"
        body = client.get_json(path, {"tree": JOB_TREE})
        try:
            entries = jenkins_rest.jobs(body, prefix)
        except PayloadError as exc:
            raise RestError(
                f"GET {safe_url(client.base_url + '/' + path)}: {exc.message}"
            ) from None
        for full, folder in entries:
            if folder and depth < MAX_DEPTH:
                walk(full, depth + 1)
            elif not folder and glob_any(full, patterns, ignore_case=True):
                found.append(full)

    walk(None, 0)
    return found


def sync_jenkins(
    engine: Engine,
    client: RestClient,
    *,
    jobs: list[str] | None = None,
    per_page: int = 50,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull the finished builds of every (matching) job (module doc)."""
    names = list_jobs(client, jobs or None)
    if not names:
        what = f"matching {', '.join(jobs)}" if jobs else "at all"
        raise InputError(f"no Jenkins job {what} at {safe_url(client.base_url)}")
    report = run_sync(engine, SOURCE, safe_url(client.base_url), [Builds(client, names, per_page)],
                      on_progress=on_progress, on_warning=on_warning)  # fmt: skip
    report.requests = client.requests
    return report
