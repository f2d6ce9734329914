"""Collections: inheritance, narrowing, org-as-code, and teams that partition their parent's
data adding up to it (lead time, deployments, failures, incidents) on both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from leadline.domain.times import parse_bound
from leadline.errors import InputError, NotFoundError
from leadline.profiles.collections import Filters, narrow
from leadline.profiles.loader import load_profile
from leadline.services import collections
from leadline.services.dora import dora
from leadline.services.leadtime import Window, lead_time
from tests.conftest import FIXTURES

HERE = FIXTURES / "collections"
WINDOW = {"--from": "2024-01-01", "--to": "2024-03-01"}


@pytest.fixture
def org(engine: Engine, run_cli: Any) -> Engine:
    assert run_cli("import", str(HERE / "records.ndjson")).code == 0
    result = run_cli("apply", str(HERE / "org.yaml"))
    assert result.code == 0, result.err
    assert "created: Acme, Team A, Team B, Team B deploys" in result.out
    return engine


def test_children_inherit_and_override(org: Engine) -> None:
    by_name = {c.name: c for c in collections.tree(org)}
    assert [c.name for c in collections.tree(org)] == ["Acme", "Team A", "Team B",
                                                      "Team B deploys"]  # fmt: skip
    acme, b, deploys = by_name["Acme"], by_name["Team B"], by_name["Team B deploys"]
    assert acme.filters.as_dict() == {"projects": ["A", "B"], "repositories": ["acme/*"]}
    # Team B overrides projects and repositories and adds services; its child inherits all
    # three and adds environments; the profile comes down from Acme.
    assert b.filters.as_dict() == {"projects": ["B"], "repositories": ["acme/b"],
                                   "services": ["b"]}  # fmt: skip
    assert deploys.filters.as_dict() == {**b.filters.as_dict(), "environments": ["staging"]}
    assert deploys.own_profile is None and deploys.profile == "Team flow"
    assert deploys.depth == 2 and b.children == ["Team B deploys"]


def _json(run_cli: Any, *args: str) -> dict[str, Any]:
    result = run_cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_teams_add_up_to_their_parent(org: Engine, run_cli: Any) -> None:
    window = [x for kv in WINDOW.items() for x in kv]
    lead = {n: _json(run_cli, "lead-time", "--collection", n, *window)
            for n in ("Acme", "Team A", "Team B")}  # fmt: skip
    report = {n: _json(run_cli, "dora", "--collection", n, *window)
              for n in ("Acme", "Team A", "Team B")}  # fmt: skip
    assert lead["Team A"]["collection"] == "Team A"
    # A-6's deployment failed and nothing shipped it later: in flight.
    assert lead["Team A"]["changes"] == 5 and lead["Team B"]["changes"] == 4
    assert lead["Acme"]["changes"] == lead["Team A"]["changes"] + lead["Team B"]["changes"]
    for section, fields in (
        ("deployment_frequency", ("deployments",)),
        ("change_failure_rate", ("failures", "deployments")),
        ("mean_time_to_restore", ("incidents",)),
    ):
        for f in fields:
            parts = report["Team A"][section][f] + report["Team B"][section][f]
            assert report["Acme"][section][f] == parts, (section, f)
    assert report["Team A"]["deployment_frequency"]["deployments"] == 4
    assert report["Team A"]["change_failure_rate"]["failures"] == 2
    assert report["Team B"]["mean_time_to_restore"]["incidents"] == 2
    # The sums are not trivially equal: the teams differ.
    assert report["Team A"]["mean_time_to_restore"] != report["Team B"]["mean_time_to_restore"]


def test_a_child_narrows_its_stages_too(org: Engine, run_cli: Any) -> None:
    """Team B deploys overrides environments: its CD stage and deployments now look at
    staging, where nothing was deployed."""
    window = [x for kv in WINDOW.items() for x in kv]
    report = _json(run_cli, "dora", "--collection", "Team B deploys", *window)
    assert report["deployment_frequency"]["deployments"] == 0
    lead = _json(run_cli, "lead-time", "--collection", "team b DEPLOYS", *window)
    assert lead["changes"] == 0 and lead["collection"] == "Team B deploys"


def test_narrow_puts_each_filter_where_the_profile_allows_it() -> None:
    profile = load_profile(HERE / "team.yaml")
    filters = Filters(projects=["A"], repositories=["acme/a"], services=["a"],
                      pipelines=["deploy-*"], environments=["prod*"],
                      target_branches=["main"], labels=["x"])  # fmt: skip
    narrowed = narrow(profile, filters)
    assert narrowed.scope.model_dump(exclude_none=True) == {
        "projects": ["A"], "repos": ["acme/a"], "services": ["a"], "labels": ["x"]
    }  # fmt: skip
    stages = {s.name: s for s in narrowed.stages}
    assert stages["PR merged"].target_branches == ["main"]
    assert stages["CI"].pipelines == ["deploy-*"] and stages["CI"].environments is None
    assert stages["Deployed"].environments == ["prod*"]
    assert stages["In Progress"].pipelines is None
    assert narrowed.dora is not None
    assert narrowed.dora.deployments.environments == ["prod*"]
    assert narrowed.dora.failures.pipelines == ["deploy-*"]
    assert narrowed.dora.restore.projects is None  # incidents: no project filter
    assert narrow(profile, Filters()) == profile


def test_apply_is_declarative_and_all_or_nothing(org: Engine, tmp_path: Path) -> None:
    data = yaml.safe_load((HERE / "org.yaml").read_text())
    data["profiles"] = [yaml.safe_load((HERE / "team.yaml").read_text())]
    data["collections"][0]["children"] = data["collections"][0]["children"][:1]
    report = collections.apply_org(org, data)
    assert report.removed == ["Team B", "Team B deploys"]
    assert report.unchanged == ["Acme", "Team A"]
    again = collections.apply_org(org, data)
    assert again.created == again.updated == again.removed == []
    bad = {**data, "collections": [{"name": "X", "profile": "nope"}]}
    with pytest.raises(InputError, match=r"collections\[0\].profile: no profile named 'nope'"):
        collections.apply_org(org, bad)
    assert [c.name for c in collections.tree(org)] == ["Acme", "Team A"]  # untouched


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"collections": [{"name": "A", "profile": "Team flow", "filters": {"repos": ["x"]}}]},
         "collections[0].filters.repos: unknown field (did you mean 'repositories'?)"),
        ({"collections": [{"name": "A", "profile": "Team flow"}, {"name": "a"}]},
         "a second collection named 'a'"),
        ({"collections": [{"name": "A"}]},
         "collections[0]: no profile here nor above"),
        ({"collections": [{"name": "A", "profile": "Team flow", "filters": {"projects": []}}]},
         "collections[0].filters.projects"),
        ({"teams": []}, "teams: unknown field"),
        ({"collections": [5]}, "collections[0]: expected a mapping, got int"),
    ],
)  # fmt: skip
def test_org_errors_name_the_place(engine: Engine, change: dict[str, Any], message: str) -> None:
    data = {"profiles": [yaml.safe_load((HERE / "team.yaml").read_text())], **change}
    with pytest.raises(InputError) as caught:
        collections.apply_org(engine, data, source="org.yaml")
    assert any(message in line for line in caught.value.details), caught.value.details
    assert all(line.startswith("org.yaml: ") for line in caught.value.details)


def test_put_and_delete_one_collection(org: Engine) -> None:
    created = collections.put(org, "Team C", {"parent": "Acme", "filters": {"projects": ["C"]}})
    assert created[1] and created[0].profile == "Team flow"
    assert collections.get(org, "team c").filters.as_dict()["repositories"] == ["acme/*"]
    with pytest.raises(InputError, match="is 'Team B' or inside it"):
        collections.put(org, "Team B", {"parent": "Team B deploys"})
    assert collections.delete(org, "Team B") == ["Team B", "Team B deploys"]
    with pytest.raises(NotFoundError):
        collections.get(org, "Team B deploys")


def test_services_api_equals_the_cli(org: Engine, run_cli: Any) -> None:
    found, profile = collections.report_profile(org, "Team A")
    w = Window(parse_bound("2024-01-01"), parse_bound("2024-03-01"))
    cli = _json(run_cli, "dora", "--collection", "Team A", "--from", "2024-01-01",
                "--to", "2024-03-01")  # fmt: skip
    assert {"collection": found.name, **dora(org, profile, w)} == cli
    assert lead_time(org, profile, "mean", w)["changes"] == 5
