"""Jenkins build parameters name what a deployment job deployed where: ``SERVICE`` and
``ENVIRONMENT`` (else ``ENV``, else ``DEPLOY_ENV``), any case — from the Notification plugin's
``build.parameters`` object and from the JSON API's ``ParametersAction``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from leadline.domain.records import PipelineRun
from leadline.sources.jenkins import webhook
from leadline.sources.jenkins.mapping import deployment_target
from leadline.sources.jenkins.rest import build_run

COMPLETED = Path(__file__).parents[1] / "fixtures" / "jenkins" / "notification" / "completed.json"


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, (None, None)),
        ({"SERVICE": "payments", "ENVIRONMENT": "production"}, ("payments", "production")),
        ({"service": " payments ", "env": "staging"}, ("payments", "staging")),
        ({"ENV": "staging", "ENVIRONMENT": "production"}, (None, "production")),  # the first name
        ({"DEPLOY_ENV": "qa"}, (None, "qa")),
        ({"SERVICE": "  ", "ENVIRONMENT": ""}, (None, None)),  # blank values name nothing
        ({"APP": "payments", "TARGET": "production"}, (None, None)),  # not the convention
    ],
)
def test_deployment_target(parameters: dict[str, str], expected: tuple[Any, Any]) -> None:
    assert deployment_target(parameters) == expected


def test_the_notification_reads_build_parameters() -> None:
    payload = json.loads(COMPLETED.read_text())
    assert payload["build"]["parameters"] == {}  # the recorded body: no parameters
    (plain,) = webhook.parse(payload).records
    assert isinstance(plain, PipelineRun)
    assert (plain.service, plain.environment) == (None, None)
    deploy = copy.deepcopy(payload)
    deploy["build"]["parameters"] = {"SERVICE": "payments", "ENVIRONMENT": "production",
                                     "REPLICAS": 3}  # fmt: skip
    (run,) = webhook.parse(deploy).records
    assert isinstance(run, PipelineRun)
    assert (run.service, run.environment) == ("payments", "production")
    assert run.commit_sha == payload["build"]["scm"]["commit"]


def test_the_json_api_reads_the_parameters_action() -> None:
    build = {
        "number": 7, "result": "SUCCESS", "building": False, "timestamp": 1500024431868,
        "duration": 1000, "url": "http://jenkins/job/deploy/7/",
        "actions": [
            {"_class": "hudson.model.ParametersAction",
             "parameters": [{"name": "SERVICE", "value": "payments"},
                            {"name": "ENV", "value": "production"},
                            {"name": "DRY_RUN", "value": False}]},
            {"lastBuiltRevision": {"SHA1": "a" * 40, "branch": [{"name": "origin/main"}]},
             "remoteUrls": ["git@bitbucket.org:acme/pay.git"]},
        ],
    }  # fmt: skip
    run = build_run("deploy", build)
    assert run is not None
    assert (run.service, run.environment, run.commit_sha) == ("payments", "production", "a" * 40)


def test_build_parameters_are_the_runs_params() -> None:
    """What a profile's ``params`` filter matches; leadline's own keys win a clash."""
    payload = json.loads(COMPLETED.read_text())
    deploy = copy.deepcopy(payload)
    deploy["build"]["parameters"] = {"DEPLOY_ENV": "prod", "REPLICAS": 3, "result": "mine"}
    (run,) = webhook.parse(deploy).records
    assert isinstance(run, PipelineRun)
    assert run.params["DEPLOY_ENV"] == "prod" and run.params["REPLICAS"] == "3"
    assert run.params["result"] == payload["build"]["status"]
    build = {
        "number": 7, "result": "SUCCESS", "building": False, "timestamp": 1500024431868,
        "duration": 1000,
        "actions": [{"parameters": [{"name": "DEPLOY_ENV", "value": "prod"},
                                    {"name": "result", "value": "x"}]}],
    }  # fmt: skip
    found = build_run("deploy", build)
    assert found is not None
    assert found.params == {"DEPLOY_ENV": "prod", "result": "SUCCESS"}
