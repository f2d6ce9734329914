"""What the browser tests share: Debian's Chromium driven by Playwright (never a downloaded
browser), a real ``leadline`` process serving on a free loopback port, and a watch on every
request and console error of a browser context.

Importing this module skips the importing test module when Playwright or Chromium is missing
(``apt-get install chromium``, as ``scripts/check`` does), saying so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.server import free_port, kill_tree

CHROMIUM = Path(os.environ.get("LEADLINE_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: apt-get install chromium (scripts/check installs it)",
        allow_module_level=True,
    )


@contextmanager
def serving(db_url: str, *command: str, log: Path, timeout: float = 60) -> Iterator[str]:
    """Run ``leadline --db URL COMMAND… --port P`` until ``/healthz`` answers; yield its URL."""
    port = free_port()
    argv = [sys.executable, "-m", "leadline", "--db", db_url, *command, "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                assert process.poll() is None, log.read_text()[-2000:]
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                kill_tree(process)


class Watch:
    """Every request of every page in a browser context, failures and console errors."""

    def __init__(self, context: Any) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        context.on("request", lambda r: self.requests.append(r.url))
        context.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        context.on("page", self.page)

    def page(self, page: Any) -> None:
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check(self, base: str) -> None:
        own = urlsplit(base).netloc
        assert self.requests, "nothing was recorded"
        elsewhere = [u for u in self.requests if urlsplit(u).netloc != own]
        assert not elsewhere, f"requests to other hosts: {elsewhere}"
        assert all(urlsplit(u).scheme == "http" for u in self.requests)
        assert not self.failed, self.failed
        assert not self.errors, self.errors


@contextmanager
def launch() -> Iterator[Any]:
    """Headless Chromium (``--no-sandbox``: tests may run as root in a container)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def shoot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
