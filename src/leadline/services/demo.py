"""``leadline demo``: load the Acme demo organisation, then report DORA per team.

``load_demo`` writes the generated records (``demo.records``), the demo's profiles
(``demo.org.profiles``) and its collections; running it again
with the same anchor and seed changes nothing, and with another anchor or seed it replaces
the previous demo exactly (``demo_store``). A database holding anything else is refused
unless ``force`` is given. ``summary`` computes each team's four DORA figures, and Acme's,
over the default window of the anchor's day (``metrics.windows.summary_window``). See docs/demo.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from leadline.demo.org import ORG, TEAMS, VIEWS, org
from leadline.demo.org import profiles as demo_profiles
from leadline.demo.records import DEFAULT_SEED, generate, validated
from leadline.domain.times import format_time
from leadline.errors import InputError
from leadline.metrics.windows import summary_window
from leadline.profiles.loader import profile_from_data, profile_to_dict
from leadline.profiles.models import Profile
from leadline.services import collections, demo_store, views
from leadline.services.dora import dora
from leadline.services.refresh import refresh
from leadline.store import profiles as stored_profiles
from leadline.store.db import writing
from leadline.store.writer import KindCounts, RecordWriter

Progress = Callable[[int, int], None]
COLLECTIONS = (ORG, *(t.name for t in TEAMS))


@dataclass
class DemoLoad:
    """What one ``load_demo`` did."""

    anchor: datetime
    seed: int
    records: int
    counts: dict[str, KindCounts]
    removed: int  # records of a previous demo (other anchor or seed) deleted
    replaced: str | None  # "anchor 2025-01-01, seed 7" of the demo this one replaced
    profiles: list[str]
    collections: list[str]
    seconds: float = 0.0

    @property
    def new(self) -> int:
        return sum(c.new for c in self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "anchor": format_time(self.anchor), "seed": self.seed, "records": self.records,
            "kinds": {k: asdict(c) for k, c in sorted(self.counts.items())},
            "removed": self.removed, "replaced": self.replaced, "profiles": self.profiles,
            "collections": self.collections,
            "seconds": round(self.seconds, 3),
        }  # fmt: skip


def load_demo(
    engine: Engine,
    anchor: datetime,
    seed: int = DEFAULT_SEED,
    *,
    force: bool = False,
    on_progress: Progress | None = None,
    batch_size: int = 2000,
) -> DemoLoad:
    """Load (or refresh) the demo; raises ``InputError`` if the database holds other data and
    ``force`` is not set — nothing is written then."""
    started = time.perf_counter()
    models = validated(generate(anchor, seed))
    new_keys = demo_store.keys_of(models)
    profiles = [profile_from_data(p, "demo profile") for p in demo_profiles()]
    names = [p.name for p in profiles]
    with writing(engine) as conn:
        marker = demo_store.read_marker(conn)
        other = demo_store.other_data(conn, marker, names, COLLECTIONS)
        if other and not force:
            raise InputError(
                f"this database already holds data that is not the demo's ({other}); load the "
                "demo into its own database (e.g. leadline --db sqlite:///demo.db demo), or add "
                "--force to load it alongside (the demo's profiles replace any of the same name)"
            )
        replaced = _previous(marker, anchor, seed)
        removed = demo_store.remove_stale(conn, demo_store.marker_keys(marker), new_keys)
        writer = RecordWriter(conn, batch_size=batch_size)
        for done, record in enumerate(models, start=1):
            writer.add(record)
            if on_progress is not None and (done % 250 == 0 or done == len(models)):
                on_progress(done, len(models))
        writer.flush()
        _put_profiles(conn, profiles)
        demo_store.write_marker(conn, {
            "anchor": format_time(anchor), "seed": seed, "profiles": names,
            "keys": {kind: [list(k) for k in keys] for kind, keys in new_keys.items()},
        })  # fmt: skip
    load = DemoLoad(anchor, seed, len(models), writer.counts, removed, replaced, names, [])
    load.collections = _apply_collections(engine)
    for profile in profiles:  # build the timelines now: the dashboard opens on warm data
        refresh(engine, profile)
    load.seconds = time.perf_counter() - started
    return load


def _previous(marker: dict[str, Any] | None, anchor: datetime, seed: int) -> str | None:
    if marker is None or (marker.get("anchor"), marker.get("seed")) == (format_time(anchor), seed):
        return None
    return f"anchor {str(marker.get('anchor'))[:10]}, seed {marker.get('seed')}"


def _put_profiles(conn: Connection, profiles: list[Profile]) -> None:
    """Store the demo's profiles (as ``services.profiles.put`` does), untouched when equal."""
    for profile in profiles:
        body = json.dumps(profile_to_dict(profile), sort_keys=True)
        if stored_profiles.get(conn, profile.name) != body:
            stored_profiles.put(conn, profile.name, body, int(time.time() * 1_000_000))


def _apply_collections(engine: Engine) -> list[str]:
    """Acme and its teams as collections, with the demo's saved view. ``apply_org`` makes
    the stored tree (and views) equal to the demo's; when other collections exist
    (``--force``) each demo collection is put on its own instead, so theirs (and their
    views) stay, and the demo's view is not stored."""
    top = org()["collections"][0]
    want: list[tuple[str, str | None, str | None, dict[str, list[str]]]]
    want = [(ORG, None, top["profile"], top["filters"])]
    want += [(c["name"], ORG, c.get("profile"), c["filters"]) for c in top["children"]]
    have = [
        (c.name, c.parent, c.own_profile, c.own_filters.as_dict()) for c in collections.tree(engine)
    ]
    named = [v.name for v in views.every(engine)]
    if have == want and named == [v["name"] for v in VIEWS]:
        return list(COLLECTIONS)  # as the demo left them: not even rewritten
    others = [name for name, *_ in have if name not in COLLECTIONS]
    if not others:
        collections.apply_org(engine, org(), source="demo org")
        return list(COLLECTIONS)
    collections.put(engine, ORG, {k: top[k] for k in ("profile", "filters")})
    for child in top["children"]:
        body = {"parent": ORG} | {k: v for k, v in child.items() if k != "name"}
        collections.put(engine, child["name"], body)
    return list(COLLECTIONS)


@dataclass
class TeamFigures:
    """One row of the summary: the four DORA figures of a team (or the whole organisation)."""

    team: str
    deployments: int
    per_day: float | None
    deployment_band: str | None
    changes: int
    lead_time_seconds: float | None
    lead_time_band: str | None
    failures: int
    failure_rate: float | None
    failure_band: str | None
    restored: int
    still_open: int
    restore_seconds: float | None
    restore_band: str | None
    levels: list[str] | None = None  # a custom maturity scale's level names, best first


def summary(
    engine: Engine, anchor: datetime, on_progress: Progress | None = None
) -> list[TeamFigures]:
    """Each team's DORA figures, then Acme's, over ``summary_window(anchor)`` (with today's
    anchor, the default window of every report): the reports of the demo's collections
    (their profile narrowed by their filters). A figure with no data is ``None``."""
    window = summary_window(anchor)
    names = [*COLLECTIONS[1:], ORG]
    rows = []
    for done, name in enumerate(names, start=1):
        _, profile = collections.report_profile(engine, name)
        report = dora(engine, profile, window)
        df, lt = report["deployment_frequency"], report["lead_time_for_changes"]
        cfr, mttr = report["change_failure_rate"], report["mean_time_to_restore"]
        rows.append(TeamFigures(
            name, df["deployments"], df["per_day"], df["band"],
            lt["changes"], lt["total_seconds"], lt["band"],
            cfr["failures"], cfr["rate"], cfr["band"],
            mttr["incidents"], mttr["open"], mttr["mean_seconds"], mttr["band"],
            [level["name"] for level in report["levels"]] if "levels" in report else None,
        ))  # fmt: skip
        if on_progress is not None:
            on_progress(done, len(names))
    return rows
