"""The webhook fuzzer's corpus and mutations, shared by ``test_webhook_fuzz.py`` (Hypothesis,
through the ASGI app) and ``bench/webhook_fuzz.py`` (a live ``leadline serve`` over a socket).

``CORPUS``: for every webhook source, each real fixture its tests use with the event header
the tool sends with it; ``request`` signs a body exactly as the tool does (HMAC, token,
shared secret, HTTP Basic; the custom CI/CD API takes an API key). ``mutate`` changes a decoded
payload structurally, 1–3 times: drop a key, or replace a value by null, a value of the wrong
type, a huge integer, a NaN-like or very long string, NUL and control characters, a deep
nesting, a time out of range (year 0 or 99999, seven-digit fractions, epoch milliseconds as
text), an array where an object was. ``encode`` may then break the bytes themselves
(non-UTF-8 inside a string, a raw ``NaN``, a BOM). Choices come from a ``Chooser``, so
Hypothesis can shrink a failure and the live runner can use ``random``.

Keys the parsers read (string literals in ``src/leadline/sources``) are chosen half of the
time: a GitHub pull request has hundreds of keys leadline never looks at.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tests.api.test_webhooks_bitbucket import TABLE as BITBUCKET_TABLE
from tests.sources.test_github import event_of as github_event
from tests.sources.test_gitlab import header_of as gitlab_header

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SECRET = "bench-secret"  # bench/webhook_sources.py's: its good deliveries are signed with it
T = TypeVar("T")


class Chooser(Protocol):
    def pick(self, options: Sequence[T]) -> T: ...

    def integer(self, low: int, high: int) -> int: ...


# --- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One fixture of ``source``, sent with ``event`` (the tool's event header, if any)."""

    source: str
    name: str
    event: str | None
    payload: Any


def _jsons(folder: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / folder).rglob("*.json") if p.name != "expected.json")


def _rel(path: Path, folder: str) -> str:
    return path.relative_to(FIXTURES / folder).as_posix()


def _cases() -> Iterator[Case]:
    def load(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8-sig"))

    for path in _jsons("github"):
        yield Case("github", path.name, github_event(_rel(path, "github")), load(path))
    for path in _jsons("gitlab"):
        yield Case("gitlab", path.name, gitlab_header(_rel(path, "gitlab")), load(path))
    simple = {"jira": "jira", "pagerduty": "pagerduty", "opsgenie": "opsgenie",
              "servicenow": "servicenow/webhook", "custom-cicd": "custom_cicd",
              "azure-devops": "azure_devops/webhooks", "jenkins": "jenkins/notification",
              "harness": "harness", "argocd": "argocd"}  # fmt: skip
    for source, folder in simple.items():
        for path in _jsons(folder):
            yield Case(source, path.name, None, load(path))
    for path in _jsons("circleci/webhooks"):
        payload = load(path)
        event = payload.get("type") if isinstance(payload, dict) else None
        yield Case("circleci", path.name, event, payload)
    for rel, event, *_ in BITBUCKET_TABLE:
        payload = load(FIXTURES / "bitbucket" / "webhooks" / rel)
        if event is None and isinstance(payload, dict) and isinstance(payload.get("eventKey"), str):
            event = payload["eventKey"]  # Data Center sends its eventKey as X-Event-Key
        yield Case("bitbucket", rel, event, payload)


CORPUS: dict[str, list[Case]] = {}
for _case in _cases():
    CORPUS.setdefault(_case.source, []).append(_case)


# --- signing, as each tool does --------------------------------------------------------------


def _hmac(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def _shared(_body: bytes, _event: str | None, _delivery: str) -> dict[str, str]:
    return {"X-Leadline-Secret": SECRET}


SIGN: dict[str, Callable[[bytes, str | None, str], dict[str, str]]] = {
    "github": lambda b, e, d: {"X-Hub-Signature-256": f"sha256={_hmac(b)}",
                               "X-GitHub-Event": e or "", "X-GitHub-Delivery": d},
    "gitlab": lambda b, e, d: {"X-Gitlab-Token": SECRET, "X-Gitlab-Event": e or "",
                               "X-Gitlab-Event-UUID": d},
    "jira": lambda b, e, d: {"X-Hub-Signature": f"sha256={_hmac(b)}",
                             "X-Atlassian-Webhook-Identifier": d},
    "pagerduty": lambda b, e, d: {"X-PagerDuty-Signature": f"v1={_hmac(b)}"},
    "opsgenie": _shared, "harness": _shared, "argocd": _shared, "jenkins": _shared,
    "servicenow": lambda b, e, d: {"X-Leadline-Secret": SECRET, "X-Leadline-Delivery": d},
    "circleci": lambda b, e, d: {"circleci-signature": f"v1={_hmac(b)}",
                                 **({"circleci-event-type": e} if e else {})},
    "bitbucket": lambda b, e, d: {"X-Hub-Signature": f"sha256={_hmac(b)}",
                                  **({"X-Event-Key": e} if e else {}), "X-Request-UUID": d},
    "azure-devops": lambda b, e, d: {"Authorization": "Basic " + base64.b64encode(
        f"azure-devops:{SECRET}".encode()).decode()},
    "custom-cicd": lambda b, e, d: {},  # an API key: the caller adds it
}  # fmt: skip


def path_of(source: str) -> str:
    return "/v1/custom-cicd" if source == "custom-cicd" else f"/v1/webhooks/{source}"


def request(source: str, event: str | None, body: bytes, delivery: str | None = None,
            ) -> tuple[str, dict[str, str]]:  # fmt: skip
    """The path and headers of ``body`` sent by ``source`` (signed with ``SECRET``)."""
    headers = {"Content-Type": "application/json",
               **SIGN[source](body, event, delivery or str(uuid.uuid4()))}  # fmt: skip
    return path_of(source), headers


def environment() -> dict[str, str]:
    """Every source's secret, as the server reads them (``bench/webhook_sources.py``)."""
    from bench.webhook_sources import environment as bench_environment

    return bench_environment()


# --- mutations -----------------------------------------------------------------------------

_READ = re.compile(r"""(?:get|\bget_text|\bNode)\(\s*["']([A-Za-z_][\w.-]*)["']""")


def _read_keys() -> frozenset[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "leadline" / "sources").rglob("*.py"):
        found.update(_READ.findall(path.read_text(encoding="utf-8")))
    return frozenset(found)


READ_KEYS = _read_keys()
DEEP = 300  # past jsonio.MAX_DEPTH: 400
MAX_PATH = 40
NUL_MARK = "\x00"
BAD_UTF8 = "\ue000fuzz-bad-utf8\ue000"  # replaced by invalid bytes in ``encode``
SCALARS: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, -0.0, 1e308, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1,
    2**64, 10**30, -(10**30), "", " ", "x", "0", "-1", "NaN", "Infinity", "-Infinity", "1e999",
    "null", "None", "undefined", "true", "<no value>", "\x00", "a\x00b", "\x1b[31mred",
    "\u2028\u2029", "\ud800", "\udfff lone", "\ufeff", "é" * 3, "日本", "\U0001f600",
    "x" * 70_000, "é" * 40_000, "\n" * 1000, [], {}, [None], [[]], {"": None},
    BAD_UTF8, "2024-01-01T00:00:00", "refs/heads/", "refs/tags/v1", "a" * 40, "0" * 64,
)  # fmt: skip
TIMES = (
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "99999-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+01:00",
    "2024-01-01T00:00:00.1234567Z", "2024-01-01T00:00:00.123456789+02:00",
    "2024-02-30T10:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00+25:00",
    "2024-01-01T00:00:00-99:99", "2024-01-01", "2024-01-01 10:00:00 UTC", "2024-13-01T00:00:00Z",
    "1711603545000", "1711603545", "-1", "1e20", "2024-01-01T00:00:00Z\x00", "T", "Z",
    "2024-W01-1", "+002024-01-01T00:00:00Z", "2024-01-01T00:00:60Z",
)  # fmt: skip
INTEGERS = (-1, 0, 2**31, 2**53, 2**63 - 1, 2**63, 2**64, 10**19, -(10**19), 10**30,
            253_402_300_800_000, -62_135_596_800_000, 1e20, 1.0, 0.5)  # fmt: skip


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path inside a decoded JSON value, down to ``MAX_PATH`` keys (a deep nesting
    an earlier mutation put in is not walked to its end)."""
    items: Any
    if len(prefix) >= MAX_PATH:
        return
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


def _nest(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


def replacement(choose: Chooser, old: Any) -> Any:
    """A new value for ``old``: typed after it half of the time, anything otherwise. A copy:
    a later mutation must not change ``SCALARS`` or another part of the payload."""
    return copy.deepcopy(_replacement(choose, old))


def _replacement(choose: Chooser, old: Any) -> Any:
    kind = choose.integer(0, 5)
    if kind == 0 and isinstance(old, str):
        return choose.pick(TIMES)
    if kind == 0 and isinstance(old, int | float) and not isinstance(old, bool):
        return choose.pick(INTEGERS)
    if kind == 0 and isinstance(old, dict):  # an array where an object was
        return choose.pick(([old], [old, old], list(old.values())[:3], list(old)))
    if kind == 0 and isinstance(old, list):  # an object where an array was
        return choose.pick(({str(i): v for i, v in enumerate(old)}, old * 3, [old], [None]))
    if kind == 1:
        return _nest(choose.pick((30, 100, 250, DEEP)))
    if kind == 2 and isinstance(old, str | int) and not isinstance(old, bool):
        return choose.pick((str(old) * 2000, f"{old}\x00", str(old).upper(), f" {old} ",
                            json.dumps(old), [old], {"value": old}))  # fmt: skip
    return choose.pick(SCALARS)


def mutate(choose: Chooser, payload: Any) -> Any:
    """``payload`` changed 1–3 times (in place where it can be; the result is returned)."""
    for _ in range(choose.integer(1, 3)):
        found = list(paths(payload))
        if not found:
            return replacement(choose, payload)
        hot = [p for p in found if isinstance(p[-1], str) and p[-1] in READ_KEYS]
        path = choose.pick(hot if hot and choose.integer(0, 1) else found)
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and choose.integer(0, 3) == 0:
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement(choose, parent[path[-1]])
    if choose.integer(0, 9) == 0:  # the whole body the wrong shape
        payload = choose.pick(([payload], None, "text", 5, [], {}))
    return payload


def event(choose: Chooser, case: Case) -> str | None:
    """The event header sent with ``case``: its own, or 1 time in 8 another event of the same
    source (a push body announced as a pull request) or an unknown one."""
    if case.event is None or choose.integer(0, 7):
        return case.event
    others = sorted({c.event for c in CORPUS[case.source] if c.event is not None})
    return choose.pick([*others, "", "unknown", "ping", "push", "Push Hook", "pr:merged"])


def encode(choose: Chooser, payload: Any) -> bytes:
    """``payload`` as the bytes sent: JSON, with ``BAD_UTF8`` as invalid UTF-8 and, rarely,
    the body itself broken (a raw NaN, a BOM, trailing text)."""
    text = json.dumps(payload, ensure_ascii=choose.integer(0, 1) == 0)
    body = text.encode("utf-8", errors="surrogatepass")
    for marker in (json.dumps(BAD_UTF8)[1:-1].encode(), BAD_UTF8.encode()):
        body = body.replace(marker, choose.pick((b"\xff\xfe", b"\xc3(", b"\xed\xa0\x80", b"\x80")))
    match choose.integer(0, 19):
        case 0:
            return b"\xef\xbb\xbf" + body
        case 1:
            return body + b" trailing"
        case 2:
            return body.replace(b"0", b"NaN", 1) if b"0" in body else body
        case _:
            return body
