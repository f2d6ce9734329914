"""Small record and profile builders for the correlate tests (all times on 2024-05-01 UTC)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leadline.domain.parse import parse_line, parse_object
from leadline.domain.records import RecordModel
from leadline.errors import LineError
from leadline.profiles.models import Profile

EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "lead_time_examples"


def at(hm: str) -> str:
    """``"10:05"`` or ``"10:05:30"`` → an RFC 3339 time on 2024-05-01 UTC."""
    return f"2024-05-01T{hm}{'' if hm.count(':') == 2 else ':00'}Z"


def dt(hm: str) -> datetime:
    return datetime.fromisoformat(at(hm)).astimezone(UTC)


def record(kind: str, **fields: Any) -> RecordModel:
    parsed = parse_object({"kind": kind, **fields}, "test", 1)
    assert not isinstance(parsed, LineError), str(parsed)
    return parsed


def issue(key: str, *statuses: tuple[str, str], created: str = "09:50", **kw: Any) -> RecordModel:
    changes = [{"to": to, "at": at(when)} for to, when in statuses]
    return record("issue", key=key, created_at=at(created), status_changes=changes, **kw)


def commit(
    sha: str, when: str, message: str = "", repo: str = "acme/api", **kw: Any
) -> RecordModel:
    return record("commit", repo=repo, sha=sha, committed_at=at(when), message=message, **kw)


def pr(
    number: int,
    created: str,
    *,
    title: str = "",
    branch: str | None = None,
    repo: str = "acme/api",
    shas: tuple[str, ...] = (),
    merge: str | None = None,
    merged: str | None = None,
    reviews: tuple[tuple[str, str, str], ...] = (),
    author: str = "alice",
    target: str = "main",
    **kw: Any,
) -> RecordModel:
    fields: dict[str, Any] = {
        "repo": repo,
        "number": number,
        "created_at": at(created),
        "title": title,
        "source_branch": branch,
        "target_branch": target,
        "author": author,
        "commit_shas": list(shas),
        "merge_commit_sha": merge,
        "reviews": [{"author": a, "state": s, "at": at(w)} for a, s, w in reviews],
        **kw,
    }
    if merged:
        fields["merged_at"] = at(merged)
    return record("pull_request", **fields)


def run(
    run_id: str,
    when: str,
    *,
    type: str = "ci",
    status: str = "success",
    sha: str | None = None,
    env: str | None = None,
    pipeline: str = "build",
    system: str = "jenkins",
    inputs: tuple[tuple[str, str | None], ...] = (),
    outputs: tuple[tuple[str, str | None], ...] = (),
    **kw: Any,
) -> RecordModel:
    artifacts = [{"name": n, "version": v, "direction": "input"} for n, v in inputs]
    artifacts += [{"name": n, "version": v, "direction": "output"} for n, v in outputs]
    return record(
        "pipeline_run",
        system=system,
        pipeline=pipeline,
        run_id=run_id,
        type=type,
        status=status,
        finished_at=at(when),
        commit_sha=sha,
        environment=env,
        artifacts=artifacts,
        **kw,
    )


def version(project: str, name: str, released: str | None = None) -> RecordModel:
    return record(
        "version", project=project, name=name, released_at=at(released) if released else None
    )


def event(component: str, key: str, event_type: str, when: str) -> RecordModel:
    return record("event", component=component, key=key, event_type=event_type, event_time=at(when))


def profile(*stages: dict[str, Any], **top: Any) -> Profile:
    return Profile.model_validate({"name": "test", "stages": list(stages), **top})


def load_example(name: str) -> list[RecordModel]:
    records: list[RecordModel] = []
    path = EXAMPLES / name
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parsed = parse_line(line, str(path), number)
        assert not isinstance(parsed, LineError), str(parsed)
        records.append(parsed)
    return records


def load_expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))
    return data
