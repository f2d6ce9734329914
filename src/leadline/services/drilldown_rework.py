"""The deployments the rework rate counts as rework, each with every rule that counted it
(``pull request acme/api#7: title 'Revert "*"'``, ``ticket PAY-8: type 'Bug'``, ``restored
incident pagerduty/P1``): selected by the same code that computes the figure
(``services/dora_rework.classify``), so the list is as long as the ``rework`` count."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from leadline.errors import InputError
from leadline.profiles.models import Profile
from leadline.services.dora_rework import classify, horizon
from leadline.services.dora_select import Deployments
from leadline.services.drilldown import DeploymentItem, deployment_item
from leadline.store.db import reading


@dataclass(frozen=True)
class ReworkItem:
    deployment: DeploymentItem
    rules: tuple[str, ...]


def rework_deployments(engine: Engine, profile: Profile, start: int, end: int) -> list[ReworkItem]:
    """The rework deployments of ``[start, end)``, newest first."""
    if profile.dora is None or profile.dora.rework is None:
        raise InputError(
            f"profile {profile.name!r} has no dora.rework block: the deployment rework rate "
            "is not measured (docs/dora.md#deployment-rework-rate)"
        )
    with reading(engine) as conn:
        found = Deployments.load(conn, profile, profile.dora, horizon(profile, end))
        got = classify(conn, profile, found, start, end)
        runs = {r.key: r for r in found.runs}
    items = [ReworkItem(deployment_item(x, runs.get(x.id)), got.rules[x.id])
             for x in got.inside if x.id in got.rules]  # fmt: skip
    return sorted(items, key=lambda x: (-x.deployment.at_us, x.deployment.id))
