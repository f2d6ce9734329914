"""The notifications template docs/sources-argocd.md ships renders the body the parser
reads: its ``template.app-deployed`` is evaluated here on Argo CD's own Application test
data (``dig … | toJson`` and ``toJson .path``, the only forms it uses; anything else fails
this test) and must give ``tests/fixtures/argocd/app-deployed.json`` — the body the docs
show and the webhook tests post."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from leadline.sources.argocd import webhook

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "sources-argocd.md"
FIXTURES = ROOT / "tests" / "fixtures" / "argocd"
_BLOCK = re.compile(r"```(yaml|json)\n(.*?)```", re.S)
_ACTION = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_DIG = re.compile(r'^dig ((?:"[^"]*" )+)(""|\(list\)) \.app \| toJson$')
_TO_JSON = re.compile(r"^toJson \.app((?:\.\w+)+)$")


def blocks(kind: str) -> list[str]:
    return [body for k, body in _BLOCK.findall(DOC.read_text()) if k == kind]


def configmap() -> dict[str, Any]:
    (found,) = [b for b in blocks("yaml") if "name: argocd-notifications-cm" in b]
    loaded: dict[str, Any] = yaml.safe_load(found)
    return loaded


def render(template: str, app: dict[str, Any]) -> str:
    def action(match: re.Match[str]) -> str:
        text = match.group(1)
        if m := _DIG.match(text):
            keys, default = (
                re.findall(r'"([^"]*)"', m.group(1)),
                [] if m.group(2) == "(list)" else "",
            )
            value: Any = app
            for key in keys:
                value = value.get(key, None) if isinstance(value, dict) else None
            return json.dumps(default if value is None else value)
        if m := _TO_JSON.match(text):
            value = app
            for key in m.group(1).strip(".").split("."):
                value = value[key]
            return json.dumps(value)
        raise AssertionError(f"template action not understood here: {text!r}")

    return _ACTION.sub(action, template)


def test_the_shipped_template_renders_the_fixture_body() -> None:
    data = configmap()["data"]
    assert "url: https://" in data["service.webhook.leadline"]
    assert "value: $leadline-token" in data["service.webhook.leadline"]
    section = yaml.safe_load(data["template.app-deployed"])["webhook"]["leadline"]
    assert section["method"] == "POST"
    app = yaml.safe_load((FIXTURES / "diff-cache.yaml").read_text())
    body = json.loads(render(section["body"], app))
    assert body == json.loads((FIXTURES / "app-deployed.json").read_text())
    (run,) = webhook.parse(body).records
    assert run.commit_sha == app["status"]["operationState"]["syncResult"]["revision"]
    for trigger, template in (("on-deployed", "app-deployed"),
                              ("on-sync-failed", "app-sync-failed"),
                              ("on-health-degraded", "app-health-degraded")):  # fmt: skip
        (rule,) = yaml.safe_load(data[f"trigger.{trigger}"])
        assert rule["send"] == [template]


def test_the_body_the_docs_show_is_the_fixture() -> None:
    shown = [json.loads(b) for b in blocks("json")]
    assert json.loads((FIXTURES / "app-deployed.json").read_text()) in shown
