"""``PUT /v1/org`` with every wrong shape of the org document: a 422 naming the path (or a
400 for a body that is not JSON), never a 5xx. Hand-picked shapes, then Hypothesis putting
random JSON values at each level of a valid document."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create
from tests.api.conftest import auth

PROFILE = {"name": "p", "start": {"event": "commit_created"},
           "stages": [{"name": "Merged", "event": "pr_merged"}]}  # fmt: skip
VALID = {"profiles": [PROFILE],
         "collections": [{"name": "eng", "profile": "p", "filters": {"projects": ["A"]},
                          "children": [{"name": "team/a", "description": "x"}]}]}  # fmt: skip


@pytest.mark.parametrize(
    ("body", "where"),
    [({"profiles": 1}, "profiles: expected a list, got the number 1"),
     ({"profiles": "p.yaml"}, "profiles: expected a list"),
     ({"profiles": ["p.yaml"]}, "profiles[0]: give profiles inline over HTTP"),
     ({"profiles": [1]}, "profiles[0]: expected a profile (a mapping), got the number 1"),
     ({"profiles": [[]]}, "profiles[0]: expected a profile (a mapping), got a list"),
     ({"profiles": [{"name": 1}]}, "profiles[0]"),
     ({"collections": 1}, "collections"),
     ({"collections": [None]}, "collections[0]"),
     ({"collections": [{"name": "a", "children": {}}]}, "collections[0].children"),
     ({"collections": [{"name": "a", "filters": []}]}, "collections[0].filters"),
     ({"collections": [{"name": "a", "filters": {"projects": [1]}}]},
      "collections[0].filters.projects"),
     ([], "(file)"), ("org", "(file)"), (None, "(file)")],
)  # fmt: skip
def test_wrong_shapes_are_422_naming_the_path(
    client: TestClient, keys: dict[str, Any], body: Any, where: str
) -> None:
    response = client.put("/v1/org", content=_json(body), headers=_admin(keys))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert any(where in line for line in [error["message"], *error["details"]]), error


def test_the_valid_document_applies(client: TestClient, keys: dict[str, Any]) -> None:
    response = client.put("/v1/org", content=_json(VALID), headers=_admin(keys))
    assert response.status_code == 200, response.text
    assert response.json()["created"] == ["eng", "team/a"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)  # fmt: skip
# Each path is a place in VALID where a random value goes.
PLACES = [(), ("profiles",), ("profiles", 0), ("profiles", 0, "name"), ("profiles", 0, "stages"),
          ("profiles", 0, "stages", 0), ("profiles", 0, "start"), ("collections",),
          ("collections", 0), ("collections", 0, "name"), ("collections", 0, "profile"),
          ("collections", 0, "filters"), ("collections", 0, "filters", "projects"),
          ("collections", 0, "children"), ("collections", 0, "children", 0),
          ("collections", 0, "children", 0, "name"), ("collections", 0, "description"),
          ("collections", 0, "extra")]  # fmt: skip


def _put(document: Any, place: tuple[Any, ...], value: Any) -> Any:
    if not place:
        return value
    head, rest = place[0], place[1:]
    if isinstance(document, dict):
        return {**document, head: _put(document.get(head), rest, value)}
    copy = list(document)
    copy[head] = _put(copy[head], rest, value)
    return copy


def test_random_values_at_every_level_never_5xx() -> None:
    database = Path(tempfile.mkdtemp(prefix="leadline-org-")) / "org.db"
    app = create_app(Settings(database_url=f"sqlite:///{database}"))
    with TestClient(app, raise_server_exceptions=False) as client:
        key = create(app.state.engine, "fuzz", "admin")

        @settings(max_examples=300, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(st.sampled_from(PLACES), JSON)
        def check(place: tuple[Any, ...], value: Any) -> None:
            body = _put(VALID, place, value)
            response = client.put("/v1/org", content=_json(body), headers=_admin({"admin": key}))
            assert response.status_code in (200, 400, 422), (body, response.text)
            assert set(response.json()) != {"error"} or response.json()["error"]["message"]

        check()


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _admin(keys: dict[str, Any]) -> dict[str, str]:
    return {**auth(keys["admin"]), "Content-Type": "application/json"}
