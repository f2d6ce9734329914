"""``leadline doctor``: what the data behind a profile's figures is missing (docs/doctor.md).

The report is a list of checks, each a registry entry (``Check``: a stable ``id``, a title,
a severity, a one-line fix hint and the words of its count) and one small function of a
``Context`` (the profile, the window, one read snapshot) returning one or more
``Outcome`` — a count, the records behind it, and for per-stage checks the stage. The
functions live in ``services/doctor_checks.py`` and are listed in ``CHECKS`` there: adding
a check is one function and one entry.

Every check reads through ``reading()`` and reuses the rules the figures use: the scope
predicates (``correlate/scope.py``, ``services/dora_filters.py``), the deployments, shipments
and failure links of ``services/dora_select.py`` and ``services/drilldown.py``, the materialized
timelines and the clamp of ``metrics/leadtime.py``. ``build=False`` (the server) never
writes: the stage checks answer from the last complete build of the timelines and raise
``NotReady`` while the first one runs, like ``lead_time(..., build=False)``.

A count of ``None`` means the check does not apply to the profile (``note`` says why):
"no data" is not zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import Connection, Engine

from leadline.correlate.ancestry import Deployment, Shipments
from leadline.domain.times import format_time, from_micros, to_micros
from leadline.metrics.series import window_json
from leadline.metrics.windows import default_window
from leadline.profiles.models import Profile
from leadline.services.dora_select import Deployments
from leadline.services.leadtime import Window, as_of, ready_set
from leadline.services.refresh import Progress, refresh
from leadline.store import timelines
from leadline.store.db import reading
from leadline.store.quality_queries import Finding
from leadline.words import plural

Severity = Literal["error", "warning", "info"]
EXAMPLES = 20  # records shown per check


@dataclass(frozen=True)
class Outcome:
    """What one check found: ``count`` records (``None``: the check does not apply, see
    ``note``), the newest ``EXAMPLES`` of them, and the stage for a per-stage check."""

    count: int | None
    examples: Sequence[Finding] = ()
    stage: str | None = None
    note: str | None = None
    rule: str | None = None  # the exclusion rule a per-rule check counts for

    @property
    def part(self) -> str | None:
        """The stage or the rule a per-stage or per-rule outcome is about."""
        return self.stage or self.rule

    @classmethod
    def of(cls, found: Sequence[Finding], stage: str | None = None) -> Outcome:
        return cls(len(found), found[:EXAMPLES], stage)

    @classmethod
    def not_applicable(cls, note: str) -> Outcome:
        return cls(None, (), None, note)


@dataclass
class Context:
    """What a check reads: one snapshot, the profile and the window ``[start, end)``."""

    engine: Engine
    conn: Connection
    profile: Profile
    start: int
    end: int
    now_us: int

    @cached_property
    def deployments(self) -> Deployments | None:
        """The successful deployments up to the window's end, as deployment frequency reads
        them (``None`` without a ``dora`` block)."""
        spec = self.profile.dora
        return None if spec is None else Deployments.load(self.conn, self.profile, spec, self.end)

    def deployments_in_window(self) -> list[Deployment]:
        found = self.deployments
        items = [] if found is None else found.items
        return [x for x in items if self.start <= x.at_us < self.end]

    def shipments(self) -> Shipments:
        assert self.deployments is not None
        return self.deployments.shipments()

    @cached_property
    def matrix(self) -> timelines.Matrix:
        """The changes that reached the last stage in the window, with their keys (the last
        complete build; ``NotReady`` before the first one)."""
        ts = ready_set(self.conn, self.profile)
        return timelines.read_matrix(self.conn, ts, self.start, self.end, with_keys=True)


Run = Callable[[Context], list[Outcome]]


@dataclass(frozen=True)
class Check:
    """A registry entry. ``noun``/``one``/``many`` make the count a sentence: ``3 pull
    requests have no ticket key`` (``{stage}`` in them is the stage's name)."""

    id: str
    title: str
    severity: Severity
    hint: str
    noun: str
    one: str
    many: str
    run: Run
    drill: str | None = None  # the dashboard page that lists what the check looks at
    nouns: str | None = None  # an irregular plural of ``noun``

    def sentence(self, count: int, part: str | None = None) -> str:
        verb = self.one if count == 1 else self.many
        return f"{plural(count, self.noun, self.nouns)} {verb.format(stage=part, rule=part)}"


@dataclass(frozen=True)
class Subject:
    profile: str
    collection: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"profile": self.profile}
        if self.collection is not None:
            out = {"collection": self.collection, **out}
        return out


@dataclass
class Report:
    subject: Subject
    start: int
    end: int
    checks: list[tuple[Check, Outcome]] = field(default_factory=list)
    as_of: dict[str, Any] | None = None  # the timelines' build the stage checks read

    def to_json(self) -> dict[str, Any]:
        out = {
            "window": window_json(self.start, self.end),
            "subject": self.subject.to_json(),
            "checks": [_check_json(check, outcome) for check, outcome in self.checks],
        }
        if self.as_of is not None:
            out["as_of"] = self.as_of
        return out


def _time(us: int | None) -> str | None:
    return None if us is None else format_time(from_micros(us))


def _check_json(check: Check, outcome: Outcome) -> dict[str, Any]:
    title = check.title if outcome.part is None else f"{check.title}: {outcome.part}"
    out: dict[str, Any] = {
        "id": check.id,
        "title": title,
        "severity": check.severity,
        "count": outcome.count,
        "summary": outcome.note
        if outcome.count is None
        else check.sentence(outcome.count, outcome.part),
        "examples": [_example_json(x) for x in outcome.examples],
        "hint": check.hint,
    }
    if outcome.stage is not None:
        out["stage"] = outcome.stage
    if outcome.rule is not None:
        out["rule"] = outcome.rule
    if outcome.note is not None:
        out["note"] = outcome.note
    return out


def _example_json(x: Finding) -> dict[str, Any]:
    return {"record": x.record, "at": _time(x.at_us), "detail": x.detail, "change": x.change}


def doctor(
    engine: Engine,
    profile: Profile,
    checks: Sequence[Check],
    window: Window | None = None,
    subject: Subject | None = None,
    now: datetime | None = None,
    on_progress: Progress | None = None,
    *,
    build: bool = True,
) -> Report:
    """Run ``checks`` for ``profile`` over ``window`` (default: ``dora``'s window).
    ``build``: bring the timelines up to date first (the CLI); else read the last build."""
    now = now or datetime.now(UTC)
    start, end = default_window(window, now)
    if build:
        refresh(engine, profile, on_progress)
    report = Report(subject or Subject(profile.name), start, end)
    with reading(engine) as conn:
        ctx = Context(engine, conn, profile, start, end, to_micros(now))
        for check in checks:
            report.checks.extend((check, outcome) for outcome in check.run(ctx))
        if not build and "matrix" in ctx.__dict__:  # the stage checks read the timelines
            report.as_of = as_of(conn, ready_set(conn, profile))
    return report
