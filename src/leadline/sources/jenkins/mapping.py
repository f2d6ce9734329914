"""What Jenkins' Notification plugin and JSON API share: the run's identity and status.

A run is keyed ``(jenkins, JOB, NUMBER)`` where ``JOB`` is the job's full name (folders
joined by ``/``, as ``/job/a/job/b/`` reads ``a/b``), so the webhook and the sync store the
same record. Jenkins results: SUCCESS → success; FAILURE and UNSTABLE → failure (an unstable
build failed its tests); ABORTED → cancelled; NOT_BUILT → skipped. A build without a result
is still running and is not a run yet.

Where a build deployed, and what: Jenkins has no notion of either, so they come from the
build's **parameters**, by a documented convention (docs/sources-jenkins.md): ``SERVICE`` is
the run's service, ``ENVIRONMENT`` (else ``ENV``, else ``DEPLOY_ENV``) its environment —
names compared case-insensitively, blank values ignored. With them, a deployment job's runs
match the profile's ``environments`` and incidents of the same service link to them.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

SYSTEM = "jenkins"
RUN_TYPE = "ci_cd"  # the profile's pipelines globs (job names) tell CI from deployments
RESULTS = {
    "SUCCESS": "success",
    "FAILURE": "failure",
    "UNSTABLE": "failure",
    "ABORTED": "cancelled",
    "NOT_BUILT": "skipped",
}


SERVICE_PARAMETERS = ("SERVICE",)
ENVIRONMENT_PARAMETERS = ("ENVIRONMENT", "ENV", "DEPLOY_ENV")


def deployment_target(parameters: dict[str, str]) -> tuple[str | None, str | None]:
    """``(service, environment)`` from a build's parameters (module doc)."""
    upper = {k.strip().upper(): v.strip() for k, v in parameters.items() if v and v.strip()}

    def first(names: tuple[str, ...]) -> str | None:
        return next((upper[n] for n in names if n in upper), None)

    return first(SERVICE_PARAMETERS), first(ENVIRONMENT_PARAMETERS)


def job_from_url(url: str | None) -> str | None:
    """``http://host/job/a/job/b/`` (or a relative ``job/a/job/b/12/``) → ``a/b``."""
    if not url:
        return None
    parts = [unquote(p) for p in urlsplit(url).path.split("/") if p]
    names = [parts[i + 1] for i, p in enumerate(parts[:-1]) if p == "job"]
    return "/".join(names) or None


def repo_from_remote(remote: str | None) -> str | None:
    """A git remote URL → ``owner/name`` (its last two path segments, ``.git`` dropped):
    ``git@github.com:o/r.git`` and ``https://host/scm/PROJ/r.git`` → ``o/r``, ``PROJ/r``."""
    if not remote or not remote.strip():
        return None
    path = remote.strip().rstrip("/")
    if "://" in path:
        path = urlsplit(path).path
    elif ":" in path:  # scp-like: git@host:owner/name.git
        path = path.split(":", 1)[1]
    segments = [s for s in path.removesuffix(".git").split("/") if s]
    return "/".join(segments[-2:]) if len(segments) >= 2 else None


def branch_name(ref: str | None) -> str | None:
    """``refs/remotes/origin/main``, ``origin/main``, ``refs/heads/main`` → ``main``."""
    if not ref or not ref.strip():
        return None
    name = ref.strip()
    for prefix in ("refs/remotes/", "refs/heads/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            return name.split("/", 1)[1] if prefix == "refs/remotes/" and "/" in name else name
    return name.removeprefix("origin/")
