"""``leadline sync jira`` end to end, through the CLI, against a real local HTTP server that
replays Jira's recorded answers (``tests/services/jira_replay.py``): issues with their whole
status history, versions, both auth schemes and both search APIs, a rate-limit episode, a
sync killed midway and resumed, a re-run that fetches only what changed; and ``leadline
lead-time``/``dora`` on the synced Jira + GitLab data with no manual step."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.cli.sync.jira import default_search
from leadline.services.sync.jira import plain_jql, scope_of
from tests.replay_server import ReplayServer
from tests.services.gitlab_replay import FakeGitLab
from tests.services.jira_replay import FakeJira
from tests.services.sync_harness import counts, fresh_db_url, kill_after, opened, records, run
from tests.services.test_sync_gitlab import assert_same_records

EMAIL, API_TOKEN, PAT = "dev@example.com", "ATATT3xFfGF0-s3cr3t", "NjQ4MjE-pat-s3cr3t"
JQL = "project in (EE, K5) ORDER BY created ASC"
ARGS = ("sync", "jira", "--jql", JQL, "--per-page", "5", "--no-progress")
EXPECTED = {"issue": 35, "version": 4}  # 36 issues but EE-4 (a NUL in its summary)
PROFILE = str(Path(__file__).parents[2] / "examples" / "profiles" / "efficiency.yaml")


@contextmanager
def serving(*fakes: Any) -> Iterator[ReplayServer]:
    server = ReplayServer()
    for fake in fakes:
        fake.install(server)
    with server:
        yield server


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("JIRA_API_TOKEN", API_TOKEN)
    monkeypatch.delenv("JIRA_TOKEN", raising=False)


def sync(run_cli: Any, server: ReplayServer, *extra: str) -> tuple[dict[str, Any], str]:
    result = run_cli(*ARGS, "--base-url", server.base_url, "--format", "json", *extra)
    assert result.code == 0, result.err
    for secret in (API_TOKEN, PAT):
        assert secret not in result.out + result.err
    report: dict[str, Any] = json.loads(result.out)
    return report, result.err


def issue(engine: Engine, key: str) -> dict[str, Any]:
    (found,) = [r for r in records(engine)["issue"] if r["key"] == key]
    return found


def test_sync_imports_issues_with_their_history_and_waits_out_a_rate_limit(
    run_cli: Any, engine: Engine
) -> None:
    fake = FakeJira()
    fake.rate_limit_once("search", 10)
    with serving(fake) as server:
        report, err = sync(run_cli, server)
    assert counts(engine) == EXPECTED
    assert report["counts"]["issue"] == {"new": 35, "updated": 0, "unchanged": 0}
    nul = "fields.summary: contains a NUL character (\\u0000), which databases cannot store"
    assert report["warnings"] == [f"jira: issue EE-4: {nul}; skipped"]
    assert f"leadline: warning: jira: issue EE-4: {nul}; skipped" in err
    # The rate limit: 429 + Retry-After, waited out, the same page asked again.
    assert "leadline: rate limited (HTTP 429, Retry-After), waiting 1 s" in err
    searches = [r.query["startAt"] for r in server.requests if r.path == "/rest/api/2/search"]
    assert searches == ["0", "5", "10", "10", "15", "20", "25", "30", "35"]
    basic = "Basic " + base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()
    assert {r.headers["authorization"] for r in server.requests} == {basic}

    # The whole status history, categories from /status (non-English names included).
    assert [(c["to"], c["at"], c["category"]) for c in issue(engine, "EE-2")["status_changes"]] == [
        ("Inbox", "2020-06-12T00:15:36.123000Z", "in_progress"),
        ("Ready for Dev", "2020-06-12T01:45:27.521000Z", "in_progress"),
        ("To Do", "2020-06-12T04:58:47.299000Z", "todo"),
        ("Open", "2020-06-12T05:01:20.593000Z", "todo"),
        ("Resolved", "2020-06-23T10:20:59.052000Z", "done"),
        ("Closed", "2020-11-10T01:43:02.579000Z", "done"),
        ("已完成", "2021-03-28T08:05:55.017000Z", "done"),
    ]  # fmt: skip
    # The assignee (a contributor's identity): asked for, and the Cloud account id kept.
    fields = {r.query["fields"] for r in server.requests if r.path == "/rest/api/2/search"}
    assert all("assignee" in f.split(",") for f in fields)
    assert issue(engine, "EE-2")["assignee"] == "5ecfbd0c730ec90c1999cadf"
    # A cut inline changelog: the rest from /issue/{key}/changelog, page by page.
    for key in ("EE-901", "EE-902", "EE-903"):
        moves = [i for h in fake.changelogs[key] for i in h["items"] if i["field"] == "status"]
        assert len(issue(engine, key)["status_changes"]) == len(moves) + 1  # + created in
        pages = [r.query["startAt"] for r in server.requests
                 if r.path == f"/rest/api/2/issue/{key}/changelog"]  # fmt: skip
        assert pages == ["0", "40", "80"][: (len(fake.changelogs[key]) + 39) // 40]
    # Versions with their release dates, from the projects' version lists.
    versions = {v["name"]: v["released_at"] for v in records(engine)["version"]}
    assert versions == {
        "v2.5.4": "2020-06-11T00:00:00Z", "v2.6.0": "2020-06-30T00:00:00Z",
        "v2.7.0": "2020-07-10T00:00:00Z", "v2.8.0": None,
    }  # fmt: skip


def test_rerun_fetches_only_what_changed(run_cli: Any, engine: Engine) -> None:
    fake = FakeJira()
    with serving(fake) as server:
        sync(run_cli, server)
        before = records(engine)
        server.reset_log()
        report, _ = sync(run_cli, server)
        assert records(engine) == before
        assert all(c["new"] == c["updated"] == 0 for c in report["counts"].values())
        assert [r.path for r in server.requests] == [
            "/rest/api/2/status", "/rest/api/2/search", "/rest/api/2/project/EE/version",
            "/rest/api/2/project/EE/version", "/rest/api/2/project/K5/version",
        ]  # fmt: skip
        # The newest issue was updated 2022-07-15T22:31:38.612Z: a day of slack for the
        # user's time zone, and the walk stops at the first older issue.
        assert fake.jql_seen[-1] == (
            '(project in (EE, K5)) AND updated >= "2022/07/14 22:31" '
            "ORDER BY updated DESC, key DESC"
        )

        # EE-2 is reopened: only it changes.
        ee2 = next(i for i in fake.issues if i["key"] == "EE-2")
        ee2["fields"]["updated"] = "2023-01-02T10:00:00.000+0800"
        ee2["changelog"]["histories"].insert(0, {
            "id": "99001", "created": "2023-01-02T10:00:00.000+0800",
            "items": [{"field": "status", "fieldtype": "jira", "fieldId": "status",
                       "from": "10068", "fromString": "已完成", "to": "10139",
                       "toString": "重新打开"}],
        })  # fmt: skip
        ee2["changelog"]["total"] += 1
        report, _ = sync(run_cli, server)
    # EE-2, and the issue at the last watermark, read again (the bound is inclusive).
    assert report["counts"]["issue"] == {"new": 0, "updated": 1, "unchanged": 1}
    last = issue(engine, "EE-2")["status_changes"][-1]
    assert last == {"to": "重新打开", "at": "2023-01-02T02:00:00Z", "category": "todo"}


def test_cloud_search_jql_with_a_bearer_token(
    run_cli: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIRA_EMAIL")
    monkeypatch.delenv("JIRA_API_TOKEN")
    monkeypatch.setenv("JIRA_TOKEN", PAT)
    fake = FakeJira()
    fake.rate_limit_once("search-jql", 5)
    with serving(fake) as server:
        report, err = sync(run_cli, server, "--search-api", "search-jql")
    assert counts(engine) == EXPECTED
    assert "waiting 1 s" in err
    tokens = [r.query.get("nextPageToken") for r in server.requests
              if r.path == "/rest/api/3/search/jql"]  # fmt: skip
    assert tokens == [None, "offset-5", "offset-5", *(f"offset-{n}" for n in range(10, 40, 5))]
    assert {r.headers["authorization"] for r in server.requests} == {f"Bearer {PAT}"}
    assert report["warnings"] == [w for w in report["warnings"] if "EE-4" in w]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "Jira credentials missing: set JIRA_EMAIL and JIRA_API_TOKEN"),
        ({"JIRA_EMAIL": EMAIL}, "Jira credentials: JIRA_API_TOKEN is not set"),
        ({"JIRA_API_TOKEN": API_TOKEN}, "Jira credentials: JIRA_EMAIL is not set"),
    ],
)
def test_missing_credentials_are_one_clear_line(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name in ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_cli(*ARGS, "--base-url", "http://127.0.0.1:9")
    assert result.code == 2
    assert result.err.startswith(f"leadline: error: {message}")
    assert len(result.err.splitlines()) == 1 and API_TOKEN not in result.err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("api", "answered"),
    [("search", 1), ("search", 4), ("search", 9), ("search", 15), ("search-jql", 9)],
)
def test_a_killed_sync_resumes_without_duplicates_or_gaps(
    engine: Engine, db_url: str, tmp_path: Path, api: str, answered: int
) -> None:
    fake = FakeJira()
    fake.rate_limit_once(api, 10)
    env = {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": API_TOKEN}
    args = (*ARGS, "--search-api", api)
    with serving(fake) as server:
        kill_after(server, answered, db_url, *args, "--base-url", server.base_url, env=env)
    assert counts(engine) != EXPECTED  # stopped midway…
    with serving(fake) as server:  # …resumed on a new server (another port, same cursors)
        done = run(db_url, *args, "--base-url", server.base_url, env=env)
        assert done.returncode == 0, done.stderr
        resumed = len(server.requests)
    with fresh_db_url(tmp_path, "clean") as clean_url, serving(FakeJira()) as server:
        clean = run(clean_url, *args, "--base-url", server.base_url, env=env)
        assert clean.returncode == 0, clean.stderr
        with opened(clean_url) as clean_engine:
            assert_same_records(records(engine), records(clean_engine))
        uninterrupted = len(server.requests)
    assert counts(engine) == EXPECTED
    # Went on where it stopped: both runs together ask about as much as one clean run
    # (+ the 429, /status again, one page redone with its changelogs, one short new pass).
    assert answered + resumed <= uninterrupted + 1 + 1 + 4 + 1


def test_lead_time_and_dora_on_synced_jira_and_gitlab(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-x")
    with serving(FakeJira(), FakeGitLab()) as server:
        sync(run_cli, server)
        gitlab = run_cli("sync", "gitlab", "--project", "12345678", "--base-url", server.base_url)
        assert gitlab.code == 0, gitlab.err
    result = run_cli("lead-time", "--profile", PROFILE, "--change", "EE-2", "--format", "json")
    assert result.code == 0, result.err
    change = json.loads(result.out)
    assert change["start"] == "2020-06-12T00:15:36.123000Z"  # EE-2 created
    assert [(s["name"], s["at"], s["source"]) for s in change["stages"]] == [
        ("Planning", "2020-06-12T00:15:36.123000Z", "issue EE-2 → Inbox"),
        ("Coding", "2020-06-14T10:00:00Z",
         "commit gitlab-data/snowflake_spend@b2501d6"),  # the MR's commit "EE-2 add …"
        ("Review", "2020-06-16T09:00:00Z", "pull_request gitlab-data/snowflake_spend#101"),
        ("Build", "2020-06-16T09:20:00Z",
         "pipeline_run gitlab-ci/gitlab-data/snowflake_spend/1100000101"),
        ("Deployment", "2020-06-16T10:00:00Z",
         "pipeline_run gitlab-deployments/gitlab-data/snowflake_spend/14000101"),
    ]  # fmt: skip
    assert change["total_seconds"] == 380663.877  # 4 d 9 h 44 min 23.877 s
    window = ("--from", "2020-06-01", "--to", "2020-07-01", "--format", "json")
    dora = json.loads(run_cli("dora", "--profile", PROFILE, *window).out)
    assert dora["deployment_frequency"]["deployments"] == 2  # the two production deploys
    assert dora["lead_time_for_changes"]["changes"] == 2  # EE-2 and EE-3
    assert dora["change_failure_rate"]["rate"] == 0.0


@pytest.mark.parametrize(
    ("jql", "plain"),
    [
        ("project = EE ORDER BY created ASC", "project = EE"),
        ("project = EE order by rank", "project = EE"),
        ('summary ~ "order by" AND project = EE', 'summary ~ "order by" AND project = EE'),
        ("  project = EE  ", "project = EE"),
    ],
)
def test_plain_jql(jql: str, plain: str) -> None:
    assert plain_jql(jql) == plain


def test_scope_and_default_search() -> None:
    assert (
        scope_of("https://acme.atlassian.net", "project = EE") == "acme.atlassian.net project = EE"
    )
    assert scope_of("http://127.0.0.1:8123/jira", "x") == "127.0.0.1/jira x"  # no port
    assert scope_of("https://j.example.com", "x" * 400).startswith("j.example.com sha256:")
    assert default_search("https://acme.atlassian.net/") == "search-jql"
    assert default_search("https://jira.example.com") == "search"


@pytest.mark.parametrize(
    ("stored", "kept"),
    [
        ("2020-07-10T08:30:00Z", "2020-07-10T08:30:00Z"),  # the webhook's exact time stays
        ("2020-07-09T17:00:00Z", "2020-07-09T17:00:00Z"),  # the site's zone: a day apart
        ("2020-07-01T08:30:00Z", "2020-07-10T00:00:00Z"),  # released again later: the date
        (None, "2020-07-10T00:00:00Z"),
    ],
)
def test_a_stored_release_time_is_kept_over_the_release_date(
    run_cli: Any, engine: Engine, tmp_path: Path, stored: str | None, kept: str
) -> None:
    version = {"kind": "version", "project": "EE", "name": "v2.7.0", "released_at": stored}
    path = tmp_path / "v.ndjson"
    path.write_text(json.dumps(version) + "\n")
    assert run_cli("import", str(path)).code == 0
    with serving(FakeJira()) as server:
        sync(run_cli, server)
    (found,) = [v for v in records(engine)["version"] if v["name"] == "v2.7.0"]
    assert found["released_at"] == kept


def test_without_the_changelog_endpoint_the_issue_gives_its_whole_changelog(
    run_cli: Any, engine: Engine
) -> None:
    fake = FakeJira()
    fake.changelog_api = False  # Jira Server/Data Center
    with serving(fake) as server:
        sync(run_cli, server)
        asked = [
            (r.path, r.query) for r in server.requests if r.path.startswith("/rest/api/2/issue/")
        ]
    assert asked[:2] == [
        ("/rest/api/2/issue/EE-901/changelog", {"startAt": "0", "maxResults": "100"}),
        ("/rest/api/2/issue/EE-901", {"expand": "changelog", "fields": "created"}),
    ]
    moves = [i for h in fake.changelogs["EE-901"] for i in h["items"] if i["field"] == "status"]
    assert len(issue(engine, "EE-901")["status_changes"]) == len(moves) + 1
    assert counts(engine) == EXPECTED
