"""A Jenkins JSON API over the recorded builds of ``tests/fixtures/jenkins``.

Jobs and their builds are real: ``foo`` (ci-eye's ``jenkins_2.60.1_builddetail_{1,2}``),
``Test-jenkins-dir/test-jenkins-sub-dir/test-sub-sub-dir/devlake`` and
``github_org/devlake-jenkins/{main,feature-1,feature-2,PR-2}`` (DevLake's raw rows, grouped
by the job their ``input`` names). The listings of the root and of the folders are built
from those names (constructed: Jenkins answers ``jobs[name,_class]`` so). Builds are served
newest first, cut by the ``{FROM,TO}`` range of ``tree=allBuilds[…]{FROM,TO}``, as Jenkins
does. Tests may add builds between syncs: answers are computed per request.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from tests.replay_server import ReplayServer, Reply, Request
from tests.sources.rest_fixtures import FIXTURES, load, rows

JENKINS = FIXTURES / "jenkins"
RAW = JENKINS / "devlake-raw"
FOLDER = "com.cloudbees.hudson.plugins.folder.Folder"
MULTIBRANCH = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
JOB = "hudson.model.FreeStyleProject"
RANGE = re.compile(r"\{(\d+),(\d+)\}$")


def path_of(full_name: str) -> str:
    return "/" + "/".join(f"job/{quote(p, safe='')}" for p in full_name.split("/"))


class FakeJenkins:
    def __init__(self) -> None:
        ci_eye = JENKINS / "rest" / "ci-eye"
        self.builds: dict[str, list[dict[str, Any]]] = {
            "foo": [load(ci_eye / f"jenkins_2.60.1_builddetail_{n}.json") for n in (1, 2)]
        }
        for row in rows(RAW / "_raw_jenkins_api_builds.csv"):
            if row["input"]["Path"]:  # the one row without a path names no job's folder
                folders = [p for p in row["input"]["Path"].split("/") if p and p != "job"]
                name = "/".join([*folders, row["input"]["Name"]])
                self.builds.setdefault(name, []).append(row["data"])
        for row in rows(RAW / "_raw_jenkins_api_builds_multibranch.csv"):
            self.builds.setdefault(row["input"]["FullName"], []).append(row["data"])

    def folders(self) -> dict[str, list[tuple[str, str]]]:
        """Each folder's (child name, class): ``""`` is the root."""
        found: dict[str, list[tuple[str, str]]] = {}
        for job in self.builds:
            parts = job.split("/")
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                kind = JOB if depth == len(parts) - 1 else (
                    MULTIBRANCH if parts[depth] == "devlake-jenkins" else FOLDER
                )  # fmt: skip
                entry = (parts[depth], kind)
                if entry not in found.setdefault(parent, []):
                    found[parent].append(entry)
        return found

    def install(self, server: ReplayServer) -> None:
        for parent, children in self.folders().items():
            body = {"jobs": [{"_class": kind, "name": name} for name, kind in children]}
            server.add((path_of(parent) if parent else "") + "/api/json", Reply(body=body))
        for job in self.builds:
            server.add(path_of(job) + "/api/json", self._builds(job))

    def _builds(self, job: str) -> Callable[[Request], Reply]:
        def serve(request: Request) -> Reply:
            found = sorted(self.builds[job], key=lambda b: b["number"], reverse=True)
            match = RANGE.search(request.query.get("tree", ""))
            start, end = (int(match[1]), int(match[2])) if match else (0, len(found))
            return Reply(body={"_class": JOB, "allBuilds": copy.deepcopy(found[start:end])})

        return serve
