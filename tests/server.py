"""A real ``leadline serve`` in a subprocess on a free loopback port (for tests that need a
real socket: concurrency, kill -9, the browser)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process and its children (``leadline serve``'s refresher), then reap it."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    pids = children.read_text().split() if children.exists() else []
    for pid in [*pids, str(process.pid)]:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # gone already
            os.kill(int(pid), signal.SIGKILL)
    process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def kill(self) -> None:
        """``kill -9``: no shutdown, no flush, nothing the process can do about it — nor
        its background refresher, killed with it (else it would go on for up to a second,
        and a test dropping its database could race it)."""
        kill_tree(self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def start(
    db_url: str, *args: str, env: dict[str, str] | None = None, log: Path | None = None
) -> Server:
    """Start it; with ``log``, its access log and stderr go to that file."""
    port = free_port()
    command = [sys.executable, "-m", "leadline", "--db", db_url, "serve", "--port", str(port),
               *([] if log else ["--no-access-log"]), *args]  # fmt: skip
    err = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        command, env={**os.environ, **(env or {})}, stdout=err, stderr=err,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"leadline serve exited with {process.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return Server(process, url)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("leadline serve did not answer /healthz within 60 s")
