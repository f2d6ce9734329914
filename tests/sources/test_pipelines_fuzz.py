"""The CircleCI, Harness and Argo CD parsers on mutated real fixtures (keys deleted or
retyped, NUL characters, naive times): a ``Parsed`` whose records import as they are, or
a ``PayloadError`` naming the path — never a ``KeyError``/``TypeError``. The CircleCI API
mapping (``sources.circleci.rest``) gets the same treatment on the recorded workflows."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.sources.argocd import webhook as argocd
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.circleci import rest as circleci_rest
from leadline.sources.circleci import webhook as circleci
from leadline.sources.harness import webhook as harness
from tests.sources.fuzz import mutate
from tests.sources.rest_fixtures import FIXTURES, data

PARSERS: dict[str, Callable[[Any], Parsed]] = {
    "circleci": circleci.parse, "harness": harness.parse, "argocd": argocd.parse,
}  # fmt: skip
DELIVERY_IDS: dict[str, Callable[[Any], str | None]] = {
    "circleci": circleci.delivery_id, "harness": harness.delivery_id,
    "argocd": argocd.delivery_id,
}  # fmt: skip


def _payloads() -> list[tuple[str, Any]]:
    found = []
    folders = {"circleci": FIXTURES / "circleci" / "webhooks",
               "harness": FIXTURES / "harness", "argocd": FIXTURES / "argocd"}  # fmt: skip
    for tool, folder in folders.items():
        for path in sorted(folder.glob("*.json")):
            if not path.name.startswith("error."):
                found.append((tool, json.loads(path.read_text())))
    return found


PAYLOADS = _payloads()
REST = FIXTURES / "circleci" / "rest"
PIPELINES = {p["id"]: p for p in data(REST / "_raw_circleci_api_pipelines.csv")}
WORKFLOWS = [
    w for w in data(REST / "_raw_circleci_api_workflows.csv") if w["pipeline_id"] in PIPELINES
]
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("\x00"), st.just("<no value>"),
    st.just("2024-03-05 07:33:04"), st.just("workflow-completed"), st.just("PipelineEnd"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


def _check(parse: Callable[[], Parsed | Any]) -> None:
    try:
        result = parse()
    except PayloadError as exc:
        assert exc.message.split(":", 1)[0], exc.message  # names a path
        return
    records = result.records if isinstance(result, Parsed) else [r for r in [result] if r]
    for record in records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_deliveries_parse_or_raise_payload_error(drawn: st.DataObject) -> None:
    tool, payload = drawn.draw(st.sampled_from(PAYLOADS))
    payload = mutate(drawn.draw, copy.deepcopy(payload), JSON_VALUES)
    _check(lambda: PARSERS[tool](payload))
    # The route reads the delivery id before parsing: it never fails, whatever the body.
    found = DELIVERY_IDS[tool](payload)
    assert found is None or (isinstance(found, str) and found.strip())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_api_workflows_map_or_raise_payload_error(drawn: st.DataObject) -> None:
    workflow = copy.deepcopy(drawn.draw(st.sampled_from(WORKFLOWS)))
    pipeline = copy.deepcopy(PIPELINES[workflow["pipeline_id"]])
    both = mutate(drawn.draw, {"w": workflow, "p": pipeline}, JSON_VALUES)
    _check(lambda: circleci_rest.workflow(both.get("w"), both.get("p")))


def test_the_fixtures_are_there() -> None:
    assert {tool for tool, _ in PAYLOADS} == set(PARSERS) and len(WORKFLOWS) == 9
    assert Path(REST).is_dir()
